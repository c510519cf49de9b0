import { Composer, type Middleware, type MiddlewareFn } from "grammy";

/**
 * grammY turns every `command`, `hears`, `callbackQuery` and `on` into `branch`, and its `branch`
 * builds a new Composer for each update that reaches it (through `lazy`). An update for the directory
 * passes some sixty of them on its way down the features, which made grammY's bookkeeping the
 * largest single cost of an answer in `npm run bench`. This `branch` builds its two paths once, when it is
 * registered. Nothing else changes: the predicate still runs per update, and a composer passed in is
 * still read at call time (`flatten` below), so middleware added to it later still runs, as before.
 *
 * Installed once, before any bot is built (src/bot/create-bot.ts imports it);
 * test/unit/composer-branch.test.ts holds it to grammY's behaviour.
 */
type AnyMiddleware = Middleware<never> | Middleware<never>[];

function flatten(middleware: AnyMiddleware): MiddlewareFn<never> {
  if (Array.isArray(middleware)) return new Composer<never>(...middleware).middleware();
  if (typeof middleware === "function") return middleware;
  return (ctx, next) => middleware.middleware()(ctx, next);
}

const patched = Symbol.for("perche.composer-branch");
const prototype = Composer.prototype as unknown as Record<symbol, boolean> & {
  branch(
    this: Composer<never>,
    predicate: (ctx: never) => boolean | Promise<boolean>,
    whenTrue: AnyMiddleware,
    whenFalse: AnyMiddleware,
  ): Composer<never>;
};

if (!prototype[patched]) {
  prototype[patched] = true;
  prototype.branch = function branch(predicate, whenTrue, whenFalse) {
    const onTrue = flatten(whenTrue);
    const onFalse = flatten(whenFalse);
    // grammY's own predicates (commands, filter queries, hears) answer at once: no await for those, so
    // each of the sixty-odd branches an update passes costs no extra turn of the microtask queue.
    return this.use((ctx, next) => {
      const verdict = predicate(ctx);
      if (verdict instanceof Promise)
        return verdict.then((yes) => (yes ? onTrue(ctx, next) : onFalse(ctx, next)));
      return verdict ? onTrue(ctx, next) : onFalse(ctx, next);
    });
  };
}
