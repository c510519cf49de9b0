import { AsyncLocalStorage } from "node:async_hooks";
import type { NextFunction } from "grammy";
import type { InnerContext } from "../../bot/context";
import { localeFromTelegram } from "../../bot/i18n";
import { loadSnapshot, type PersonSnapshot } from "../../bot/snapshot";
import { errorFields } from "../../logger";
import { pseudonymFor } from "../../privacy/pseudonym";

/**
 * The snapshot of the update being handled. A dialogue replays every update it has received, each in a
 * context of its own that runs this middleware again; they are the same person within the same update,
 * so they reuse the snapshot instead of reading it again (a flow's sixth step made seven reads).
 */
const currentSnapshot = new AsyncLocalStorage<PersonSnapshot>();

/** Sets ctx.snapshot, ctx.locale and ctx.t: the language the person picked, else their Telegram language, else the default. */
export async function languageMiddleware(ctx: InnerContext, next: NextFunction): Promise<void> {
  const { deps } = ctx;
  const from = ctx.from;
  ctx.pseudonym = from && !from.is_bot ? pseudonymFor(deps.pseudonymKey, from.id) : undefined;
  let locale = localeFromTelegram(from?.language_code, deps.defaultLocale);
  if (ctx.pseudonym && from) {
    try {
      await deps.pseudonymRotation?.adopt(deps.db, deps.pseudonymKey, from.id, ctx.pseudonym);
      // One round trip for what most updates need; the rest of the update reads from it.
      const shared = currentSnapshot.getStore();
      ctx.snapshot =
        shared?.pseudonym === ctx.pseudonym
          ? shared
          : await loadSnapshot(
              deps.db,
              ctx.pseudonym,
              pseudonymFor(deps.pseudonymKey, from.id, "member"),
              deps.now(),
              deps.updateClaims?.forSnapshot(ctx.update, ctx.pseudonym),
            );
      locale = ctx.snapshot.locale ?? locale;
    } catch (error) {
      // The database being down must not stand between a person and the emergency card: go on in the
      // Telegram language; whatever needs the database will fail on its own and say so.
      deps.logger.warn(
        { updateId: ctx.update.update_id, error: errorFields(error) },
        "language choice unavailable",
      );
    }
  }
  // Another instance handled this update, or has it in hand: stop before doing anything twice.
  deps.updateClaims?.of(ctx.update.update_id)?.check();
  ctx.locale = locale;
  ctx.t = deps.translations.forLocale(locale);
  if (ctx.snapshot) await currentSnapshot.run(ctx.snapshot, next);
  else await next();
}
