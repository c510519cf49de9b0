import { enqueueMessages } from "../../outbox/enqueue";
import { type Member, revokeMember } from "../members/queries";
import { type RequestDeps, releaseAllClaims } from "../requests/use-cases";

/**
 * A member removed from outside the bot (`npm run admin -- revoke`): they lose access at once, what they
 * held goes back to the team with the person told, and their team menu is taken away — the last two
 * through the outbox, sent when the bot runs. In the bot, a coordinator's removal does the same
 * (admin.ts). Undefined when no active member has that id.
 */
export async function revokeFromOutside(
  deps: RequestDeps,
  memberId: number,
): Promise<{ member: Member; released: number } | undefined> {
  const member = await revokeMember(deps.db, memberId, deps.now());
  if (!member) return undefined;
  await enqueueMessages(deps.db, [
    {
      dedupeKey: `menu-removed:${member.id}`,
      recipient: { kind: "member", id: String(member.id) },
      method: "deleteMyCommands",
      payload: {},
    },
  ]);
  const released = await releaseAllClaims(deps, member);
  return { member, released };
}
