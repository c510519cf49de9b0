import type { Conversation } from "@grammyjs/conversations";
import { setMemberCommands } from "../../bot/commands";
import type { BotContext, InnerContext } from "../../bot/context";
import { mainMenu } from "../../bot/keyboards";
import { errorFields } from "../../logger";
import { pseudonymFor } from "../../privacy/pseudonym";
import { nameInSentence } from "../../text/french-name";
import { withHtml } from "../../text/translate";
import { checkInvitation, findActiveMember, redeemInvitation } from "../members/queries";
import { checkAlias } from "./alias";
import { invitationAttempts } from "./attempts";

export const JOIN_TEAM = "join-team";

/**
 * Redeeming an invitation: look at it, ask for the alias people will see, then redeem it and create the
 * member in one transaction. The dialogue only; reads and writes go through `external`.
 */
export async function joinTeam(
  conversation: Conversation<BotContext, InnerContext>,
  ctx: InnerContext,
  code: string,
) {
  const check = await conversation.external(async (outer) => {
    const member = outer.from
      ? await findActiveMember(outer.deps.db, pseudonymFor(outer.deps.pseudonymKey, outer.from.id, "member"))
      : undefined;
    if (member) return { kind: "already" as const, alias: member.alias };
    if (!outer.from) return { kind: "unknown" as const };
    // Guessing is limited per person; once blocked, a real code gets the same answer as a made-up one.
    const attempts = invitationAttempts(outer.deps);
    const person = pseudonymFor(outer.deps.pseudonymKey, outer.from.id, "invite");
    const now = outer.deps.now();
    if (attempts.blocked(person, now)) return { kind: "tooMany" as const };
    const checked = await checkInvitation(outer.deps.db, code, now);
    if (checked.kind !== "valid") attempts.fail(person, now);
    return checked;
  });
  if (check.kind === "already") {
    await ctx.reply(ctx.t("team.join.already", withHtml({ alias: check.alias })));
    return;
  }
  if (check.kind !== "valid") {
    await ctx.reply(ctx.t(`team.join.${check.kind}`));
    return;
  }
  // Plain data crossed the replay boundary; the name for the sentence is made here.
  const organisation = nameInSentence(
    {
      name: check.organisationName,
      ...(check.organisationArticleFr ? { articleFr: check.organisationArticleFr } : {}),
    },
    ctx.locale,
  );
  await ctx.reply(ctx.t("team.join.askAlias", { organisation, role: ctx.t(`team.roles.${check.role}`) }));

  let alias: string | undefined;
  while (alias === undefined) {
    const answer = await conversation.waitFor("message:text", {
      otherwise: (other) => other.reply(other.t("team.join.badAlias")),
    });
    // A command means the person moved on: leave quietly and let the command be handled.
    if (answer.message.text.startsWith("/")) await conversation.halt({ next: true });
    const checked = checkAlias(answer.message.text);
    if (checked.ok) alias = checked.alias;
    else await answer.reply(answer.t("team.join.badAlias"));
  }

  const chosen = alias;
  const result = await conversation.external(async (outer) => {
    const from = outer.from;
    if (!from) return { kind: "unknown" as const };
    const redemption = await redeemInvitation(outer.deps.db, {
      code,
      alias: chosen,
      pseudonym: pseudonymFor(outer.deps.pseudonymKey, from.id, "member"),
      chatIdEnc: outer.deps.sealer.seal(String(outer.chat?.id ?? from.id)),
      locale: outer.locale,
      now: outer.deps.now(),
    });
    // Only plain values cross the replay boundary.
    return redemption.kind === "joined" || redemption.kind === "already-member"
      ? { kind: redemption.kind, alias: redemption.member.alias, role: redemption.member.role }
      : { kind: redemption.kind };
  });

  switch (result.kind) {
    case "joined":
      // Part 7: their role's commands in their menu, in their language (removed when they leave).
      if (ctx.chat)
        await setMemberCommands(ctx.api, ctx.chat.id, result.role, ctx.locale, ctx.deps.translations).catch(
          (error: unknown) => ctx.deps.logger.warn({ error: errorFields(error) }, "member commands not set"),
        );
      await ctx.reply(
        [
          ctx.t("team.join.done", withHtml({ alias: result.alias, organisation })),
          ctx.t(
            result.role === "peer"
              ? "peers.joined"
              : result.role === "admin"
                ? "team.join.doneCoordinator"
                : "team.join.doneWorker",
          ),
        ].join("\n"),
        // A peer gets their menu now, with its two extra buttons (added by the peer menu middleware).
        result.role === "peer" ? { reply_markup: mainMenu(ctx.t) } : {},
      );
      return;
    case "already-member":
      await ctx.reply(ctx.t("team.join.already", withHtml({ alias: result.alias })));
      return;
    default:
      await ctx.reply(ctx.t(`team.join.${result.kind}`));
  }
}
