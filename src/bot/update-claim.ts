import { AsyncLocalStorage } from "node:async_hooks";
import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import {
  Composer,
  type Context,
  type Middleware,
  type MiddlewareFn,
  type NextFunction,
  type Transformer,
} from "grammy";
import type { Update } from "grammy/types";
import type { Database, Executor } from "../db/executor";
import { runFixed } from "../db/fixed-statement";
import { updateClaims } from "../db/schema";
import { errorFields, type Logger } from "../logger";
import { DIRECTORY_BUTTONS, parseCallbackData } from "./callback-data";
import { RetryUpdateError } from "./retry-update";

/**
 * Several instances, one update: a load balancer's retry or Telegram's redelivery can hand the same
 * update to two instances, one after the other or at once. The update is handled by one of them only.
 *
 * - An instance takes the update (a row in `update_claims`, keyed by the update id, with a lease) before
 *   the first message it sends because of it, and marks it done when the update is handled. Another
 *   instance that meets the row stops: silently when it is done, asking for the update again later (a
 *   RetryUpdateError: the webhook's 500, the poller's retry) while it is in hand, so that an instance
 *   dying with it lets the next delivery handle it once the lease ends.
 * - Where the update's first statement is not a lookup's (a button that is not the directory's), the
 *   claim is folded into it (the snapshot, src/bot/snapshot.ts): no round trip more. Otherwise it is taken
 *   by a statement of its own just before the first call to Telegram (the transformer below), so a
 *   person only looking things up still costs one read and no write.
 * - Answers that change nothing (the directory, the emergency card, the error notice, inline results)
 *   take no claim: the lookup path must not write, and the emergency card must not wait on the
 *   database. Such an answer can come twice when its update reaches two instances at once; nothing else
 *   can.
 * - A relayed message writes nothing through Telegram: its own statement records the update as done
 *   (`settledStatement`), beside the message (three round trips, as before).
 * - The effects an instance makes before its first call to Telegram are idempotent by themselves (dedupe
 *   keys on the update id, compare-and-swap on the dialogue): the one that loses the claim afterwards
 *   has written nothing new, and leaves the dialogue's state alone (src/conversations/storage.ts).
 */

/** How long an instance keeps an update it has in hand before another may take it over. */
export const LEASE_SECONDS = 60;

/** Rows older than this are swept: Telegram stops redelivering an update long before. */
const KEEP_HOURS = 48;

// Calls that only read, or answer an inline query (a lookup from any chat): no claim.
const ANSWERS_ONLY = /^(get|answerInlineQuery$)/;

export type ClaimStatus = "free" | "mine" | "done" | "held";

/** Thrown where this instance must stop handling an update: another handled it, or has it in hand. */
export class UpdateClaimedElsewhere extends Error {
  override name = "UpdateClaimedElsewhere";
  constructor(readonly status: "done" | "held") {
    super(status === "done" ? "update handled by another instance" : "update in hand elsewhere");
  }
}

export function claimedElsewhere(error: unknown): UpdateClaimedElsewhere | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof UpdateClaimedElsewhere) return e;
  return undefined;
}

/** The name an instance holds its updates under: stable across a restart of the same instance. */
export function holderName(mode: { kind: "polling" } | { kind: "webhook"; port: number }): string {
  // One poller per token (Telegram refuses a second); webhook instances differ by host and port.
  return mode.kind === "polling" ? "polling" : `webhook:${hostname()}:${mode.port}`;
}

// $1 update id, $2 holder. `status` as ClaimStatus.
const STATUS_OF_ROW = `case when c.done_at is not null then 'done'
          when c.holder = $2 or c.lease_until <= now() then 'free' else 'held' end`;
// $3 the sender's pseudonym (or null), $4 the lease in seconds.
const TAKE = `
  prior as (select done_at is not null as done from update_claims where update_id = $1),
  taken as (
    insert into update_claims (update_id, holder, lease_until, person)
    values ($1, $2, now() + make_interval(secs => $4::double precision), $3::text)
    on conflict (update_id) do update
      set holder = excluded.holder, lease_until = excluded.lease_until, person = excluded.person
     where update_claims.done_at is null
       and (update_claims.lease_until <= now() or update_claims.holder = excluded.holder)
    returning 1)`;
/**
 * Another instance has an earlier update of this person in hand ($1 update id, $2 holder, $3 person): a
 * dialogue's prompt goes out before its state is stored, so their next update must wait for it to be
 * done, or it would be replayed against the state before it.
 */
const BUSY_ELSEWHERE = `exists (select 1 from update_claims as o
          where o.person = $3::text and o.done_at is null and o.update_id <> $1 and o.holder <> $2
            and o.lease_until > now())`;
const TAKEN_STATUS = `case when exists (select 1 from taken) then 'mine'
          when (select done from prior) then 'done' else 'held' end`;

/** Renumbers $1…$4 of the claim's text after a statement's own `offset` parameters. */
const shifted = (text: string, offset: number) =>
  text.replace(/\$([1234])\b/g, (_, n: string) => `$${Number(n) + offset}`);

const TAKE_ALONE = `with ${TAKE} select ${TAKEN_STATUS} as status`;
const MARK_DONE = `update update_claims set done_at = now(), person = null
  where update_id = $1 and holder = $2 and done_at is null`;
const RELEASE = `delete from update_claims where update_id = $1 and holder = $2 and done_at is null`;

/** What the snapshot's statement carries for the claim (see loadSnapshot): its text around it, its values. */
export type SnapshotClaim = {
  /** The statement: `snapshot` (a select with `paramCount` parameters) with the claim read or taken. */
  text(snapshot: string, paramCount: number): string;
  params: unknown[];
  /** The row's `update_claim` and `busy_elsewhere` columns. */
  read(status: unknown, busyElsewhere: unknown): void;
};

/** The directory's commands and the emergency card's: answers that change nothing. */
const LOOKUP_COMMANDS = new Set([
  "materiel",
  "supplies",
  "ouvert",
  "open",
  "pres",
  "near",
  "menu",
  "urgence",
  "emergency",
]);

/**
 * Updates that can be someone only looking things up (the directory's buttons, commands and words):
 * their first statement stays a read, and a claim, if they need one, comes with their first call.
 */
export function couldBeLookup(update: Update): boolean {
  const message = update.message;
  if (message?.location) return true;
  if (message?.text !== undefined) {
    const command = /^\/([a-z]+)(@\w+)?(\s|$)/i.exec(message.text)?.[1];
    return !message.text.startsWith("/") || LOOKUP_COMMANDS.has(command?.toLowerCase() ?? "");
  }
  const data = update.callback_query?.data;
  if (data === undefined) return update.inline_query !== undefined;
  const action = parseCallbackData(data);
  return action !== undefined && DIRECTORY_BUTTONS.has(action.kind);
}

/** One update in this instance's hands. */
export class UpdateClaim {
  status: ClaimStatus = "free";
  over = false;
  /** The sender's pseudonym, once the snapshot is read. */
  person: string | undefined;
  /** Inside an answer that changes nothing: its calls take no claim. */
  private exempt = 0;
  private taking: Promise<void> | undefined;

  constructor(
    private readonly claims: UpdateClaims,
    readonly updateId: number,
  ) {}

  /** Stops here when another instance handled the update or has it in hand. */
  check(): void {
    if (this.status === "done" || this.status === "held") throw new UpdateClaimedElsewhere(this.status);
    if (this.heldBack) throw new UpdateClaimedElsewhere("held");
  }

  /**
   * Another instance has this person's earlier update in hand: this one waits for it (asked for again
   * later). A claim this very statement took is given back when the update fails (release).
   */
  holdBack(): void {
    this.heldBack = true;
  }
  private heldBack = false;

  /** Takes the update if not yet; throws UpdateClaimedElsewhere if another instance has it. */
  async take(): Promise<void> {
    if (this.status === "free") {
      this.taking ??= this.claims.take(this.updateId, this.person).then(
        (status) => {
          this.status = status;
          this.taking = undefined;
        },
        (error: unknown) => {
          this.taking = undefined;
          throw error;
        },
      );
      await this.taking;
    }
    this.check();
  }

  /** This instance's own effect statement recorded the update as done (a relay). */
  settled(): void {
    // Already taken by a lease of its own: finish() still marks it done.
    if (this.status !== "mine") this.settledByEffect = true;
    this.status = "mine";
  }
  private settledByEffect = false;

  /** Runs `send` without taking a claim: for answers that change nothing. */
  async answering<T>(send: () => Promise<T>): Promise<T> {
    this.exempt++;
    try {
      return await send();
    } finally {
      this.exempt--;
    }
  }

  /** Inside `answering`, what is passed on (to a feature after it) takes claims again. */
  async claiming<T>(work: () => Promise<T>): Promise<T> {
    const exempt = this.exempt;
    this.exempt = 0;
    try {
      return await work();
    } finally {
      this.exempt = exempt;
    }
  }

  /** A Bot API transformer: every call but a read takes the update first. */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    // Once the update is over (an error notice sent by the boundary after it), calls take nothing.
    if (!this.over && this.exempt === 0 && !ANSWERS_ONLY.test(method)) await this.take();
    return prev(method, payload, signal);
  };

  /** The update was handled: record it, so a later delivery of it stops at its first statement. */
  async finish(): Promise<void> {
    if (this.status !== "mine" || this.settledByEffect) return;
    // Handled is handled: failing to record it must not turn into an error for the person. The lease
    // then ends by itself, and only a delivery of the same update after it could act again.
    await this.claims
      .markDone(this.updateId)
      .catch((error: unknown) => this.claims.warn(this.updateId, error));
  }

  /** Handling failed: let the next delivery take it at once rather than after the lease. */
  async release(): Promise<void> {
    if (this.status === "mine" && !this.settledByEffect) await this.claims.release(this.updateId);
    this.status = "free";
  }
}

/** The claims of one instance: the updates it has in hand, by id. */
export class UpdateClaims {
  private readonly inHand = new Map<number, UpdateClaim>();

  constructor(
    private readonly db: Database,
    readonly holder: string,
    private readonly logger?: Logger,
    private readonly leaseSeconds = LEASE_SECONDS,
  ) {}

  /** The claim of an update in hand (the same object for a dialogue's inner contexts). */
  of(updateId: number): UpdateClaim | undefined {
    return this.inHand.get(updateId);
  }

  begin(updateId: number): UpdateClaim {
    const claim = this.inHand.get(updateId) ?? new UpdateClaim(this, updateId);
    this.inHand.set(updateId, claim);
    return claim;
  }

  end(updateId: number): void {
    this.inHand.delete(updateId);
  }

  /**
   * For the snapshot's statement: the claim read (an update that may be a lookup: no write), or taken
   * in the same statement (any other).
   */
  forSnapshot(update: Update, person: string): SnapshotClaim | undefined {
    const claim = this.inHand.get(update.update_id);
    if (claim?.status !== "free") return undefined;
    claim.person = person;
    const taking = !couldBeLookup(update);
    return {
      text: (snapshot, n) =>
        taking
          ? `with ${shifted(TAKE, n)} select s.*, ${shifted(TAKEN_STATUS, n)} as update_claim,
               ${shifted(BUSY_ELSEWHERE, n)} as busy_elsewhere from (${snapshot}) as s`
          : `select s.*, (select ${shifted(STATUS_OF_ROW, n)} from update_claims as c where c.update_id = $${n + 1}) as update_claim,
               ${shifted(BUSY_ELSEWHERE, n)} as busy_elsewhere from (${snapshot}) as s`,
      params: taking
        ? [update.update_id, this.holder, person, this.leaseSeconds]
        : [update.update_id, this.holder, person],
      read: (status, busyElsewhere) => {
        if (status === "mine" || status === "done" || status === "held") claim.status = status;
        // Their earlier update first; this one comes back once that is done.
        if (busyElsewhere === true && claim.status !== "done") claim.holdBack();
      },
    };
  }

  async take(updateId: number, person: string | undefined): Promise<ClaimStatus> {
    const [row] = await runFixed<{ status: ClaimStatus }>(this.db, TAKE_ALONE, [
      updateId,
      this.holder,
      person ?? null,
      this.leaseSeconds,
    ]);
    return row?.status ?? "held";
  }

  async markDone(updateId: number): Promise<void> {
    await runFixed(this.db, MARK_DONE, [updateId, this.holder]);
  }

  async release(updateId: number): Promise<void> {
    // The lease ends by itself; this only saves the wait.
    await runFixed(this.db, RELEASE, [updateId, this.holder]).catch((error: unknown) =>
      this.warn(updateId, error),
    );
  }

  warn(updateId: number, error: unknown): void {
    this.logger?.warn({ updateId, error: errorFields(error) }, "could not record an update's claim");
  }

  /**
   * The write that records an update as handled by the statement making its effect (a relayed message):
   * unsent, for a larger statement (inOneStatement, addMessageAndRelay's `alongside`).
   */
  settledStatement(db: Executor, updateId: number) {
    return db
      .insert(updateClaims)
      .values({ updateId, holder: this.holder, leaseUntil: sql`now()`, doneAt: sql`now()` })
      .onConflictDoNothing();
  }

  /** Drops rows of updates no one will deliver again. */
  async sweep(): Promise<number> {
    const rows = await this.db
      .delete(updateClaims)
      .where(sql`${updateClaims.leaseUntil} < now() - make_interval(hours => ${KEEP_HOURS})`)
      .returning({ id: updateClaims.updateId });
    return rows.length;
  }
}

type Claimable = Context & { deps: { updateClaims?: UpdateClaims } };

/**
 * The middleware that holds each update's claim, first inside the error boundary: Telegram calls take
 * the update (the transformer), a handled update is marked done, a failed one released. Where another
 * instance has it: a done update ends here in silence; one in hand elsewhere is asked for again
 * (`retry`: the running app) or left to that instance (tests driving the bot update by update).
 */
export function claimingUpdates(retry: boolean): MiddlewareFn<Claimable> {
  return async (ctx, next) => {
    const claims = ctx.deps.updateClaims;
    if (!claims) return next();
    const updateId = ctx.update.update_id;
    const claim = claims.begin(updateId);
    ctx.api.config.use(claim.transformer);
    try {
      await inHandNow.run(claim, next);
      await claim.finish();
    } catch (error) {
      await claim.release();
      const elsewhere = claimedElsewhere(error);
      if (!elsewhere) throw error;
      if (elsewhere.status === "held" && retry) throw new RetryUpdateError("held elsewhere");
    } finally {
      claim.over = true;
      claims.end(updateId);
    }
  };
}

/** The update being handled, for the calls of a dialogue's contexts (see claimInsideConversations). */
const inHandNow = new AsyncLocalStorage<UpdateClaim>();

/**
 * A dialogue's own contexts (built by the conversations plugin) take the claim of the update being
 * handled. Not their own update's: a dialogue answers through the context of the update that entered
 * it, replayed, whose claim is long gone; the update in hand is the one that makes it speak now.
 */
export function claimInsideConversations(ctx: Claimable, next: NextFunction): Promise<void> {
  ctx.api.config.use((prev, method, payload, signal) => {
    const claim = inHandNow.getStore();
    return claim ? claim.transformer(prev, method, payload, signal) : prev(method, payload, signal);
  });
  return next();
}

/** Sends an answer that changes nothing (the emergency card, an error notice) without taking a claim. */
export function answerOnly<T>(ctx: Claimable, send: () => Promise<T>): Promise<T> {
  const claim = ctx.deps.updateClaims?.of(ctx.update.update_id);
  return claim ? claim.answering(send) : send();
}

/** A feature whose answers change nothing (the directory): its calls take no claim, what it passes on does. */
export function answersOnly<C extends Claimable>(feature: Middleware<C>): MiddlewareFn<C> {
  const run = new Composer<C>(feature).middleware();
  return (ctx, next) => {
    const claim = ctx.deps.updateClaims?.of(ctx.update.update_id);
    if (!claim) return run(ctx, next);
    return claim.answering(async () => {
      await run(ctx, () => claim.claiming(next));
    });
  };
}
