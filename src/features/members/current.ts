import type { BotContext } from "../../bot/context";
import { pseudonymFor } from "../../privacy/pseudonym";
import { findActiveMember, type Member } from "./queries";

/** The member behind this update, checked at the moment it runs (a revoked member is nobody). */
export async function currentMember(ctx: BotContext): Promise<Member | undefined> {
  if (!ctx.from) return undefined;
  return findActiveMember(ctx.deps.db, pseudonymFor(ctx.deps.pseudonymKey, ctx.from.id, "member"));
}
