import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/executor";
import { invitations, members, organisations } from "../../db/schema";
import { createInvitation } from "../members/queries";

/**
 * A new installation has nobody who can invite anyone from the bot. On a start with no coordinator and
 * no coordinator invitation still open, one is made for the first organisation (by id) and handed to
 * the operator through the log, once: restarts meanwhile make no other, and only the code's hash is
 * kept, so a lost link is replaced with `npm run admin -- invite --role coordinator`.
 */

export const FIRST_COORDINATOR_INVITATION_DAYS = 7;

export type FirstCoordinatorInvitation = {
  code: string;
  organisationId: string;
  expiresAt: Date;
};

export async function inviteFirstCoordinator(
  db: Database,
  now: Date,
): Promise<FirstCoordinatorInvitation | undefined> {
  return db.transaction(async (tx) => {
    const [coordinator] = await tx
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.role, "admin"), isNull(members.revokedAt)))
      .limit(1);
    if (coordinator) return undefined;
    const [open] = await tx
      .select({ codeHash: invitations.codeHash })
      .from(invitations)
      .where(
        and(eq(invitations.role, "admin"), isNull(invitations.redeemedAt), gt(invitations.expiresAt, now)),
      )
      .limit(1);
    if (open) return undefined;
    const [organisation] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .orderBy(asc(organisations.id))
      .limit(1);
    if (!organisation) return undefined;
    const expiresAt = new Date(now.getTime() + FIRST_COORDINATOR_INVITATION_DAYS * 86_400_000);
    const code = await createInvitation(tx, { organisationId: organisation.id, role: "admin", expiresAt });
    return { code, organisationId: organisation.id, expiresAt };
  });
}
