import { and, eq, inArray } from "drizzle-orm";
import type { BotDeps } from "../../bot/context";
import type { Executor } from "../../db/executor";
import { members, organisations, referrals } from "../../db/schema";
import type { OutboxMessage } from "../../outbox/enqueue";
import { nameInSentence } from "../../text/french-name";
import { escapeHtml } from "../../text/html";
import type { Member } from "../members/queries";
import { historyText, htmlText, type Reader } from "./notices";
import { messagesOf, type Request } from "./queries";

type HistoryDeps = Pick<BotDeps, "translations" | "sealer">;

/**
 * After a referred request is claimed by someone of the organisation it went to: what was said before,
 * so the person does not tell their story again. Called inside the claim's transaction.
 */
export async function referralHistoryFor(
  deps: HistoryDeps,
  tx: Executor,
  request: Request,
  member: Member,
): Promise<OutboxMessage[]> {
  const [referral] = await tx
    .select()
    .from(referrals)
    .where(
      and(
        eq(referrals.requestId, request.id),
        eq(referrals.status, "accepted"),
        eq(referrals.toOrganisationId, member.organisationId),
      ),
    );
  if (!referral) return [];
  const history = await messagesOf(tx, request.id, deps.sealer);
  const ids = [...new Set(history.flatMap((m) => (m.memberId === null ? [] : [m.memberId])))];
  const aliases = new Map(
    ids.length === 0
      ? []
      : (
          await tx
            .select({ id: members.id, alias: members.alias })
            .from(members)
            .where(inArray(members.id, ids))
        ).map((m) => [m.id, m.alias] as const),
  );
  const r: Reader = { t: deps.translations.forLocale(member.locale), locale: member.locale };
  // Read through the transaction (never the outer db or the catalog cache inside one).
  const [from] = await tx
    .select()
    .from(organisations)
    .where(eq(organisations.id, referral.fromOrganisationId));
  const fromName = from
    ? nameInSentence(
        {
          name: { fr: from.nameFr, en: from.nameEn },
          ...(from.articleFr ? { articleFr: from.articleFr } : {}),
        },
        member.locale,
      )
    : referral.fromOrganisationId;
  return [
    {
      dedupeKey: `refhist:${request.id}:${member.id}`,
      recipient: { kind: "member", id: String(member.id) },
      method: "sendMessage",
      payload: {
        protect_content: true,
        ...htmlText(
          [
            r.t("referral.history", {
              organisation: fromName,
            }),
            escapeHtml(historyText(request, history, aliases, r)),
          ].join("\n\n"),
        ),
      },
    },
  ];
}
