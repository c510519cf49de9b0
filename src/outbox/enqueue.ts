import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/executor";
import { type OUTBOX_METHODS, type OUTBOX_RECIPIENT_KINDS, outbox } from "../db/schema";
import type { Sealer } from "../privacy/sealed";

/**
 * A message to deliver later. The recipient is resolved to a chat id only at send time, so an erased
 * chat id is never copied into the outbox. `payload` is the Bot API parameters without `chat_id`.
 */
export type OutboxMessage = {
  /** Derived from what caused the message (update id, request id...): enqueuing it again does nothing. */
  dedupeKey: string;
  recipient: OutboxRecipient;
  method: OutboxMethod;
  payload: Record<string, unknown>;
  /** The alert this message carries, so the alert's author can be told how many received it. */
  alertId?: number;
};

export type OutboxRecipient = { kind: (typeof OUTBOX_RECIPIENT_KINDS)[number]; id: string };

export type OutboxMethod = (typeof OUTBOX_METHODS)[number];

/**
 * Writes messages into the outbox; call it with the transaction that makes the change they announce.
 * Returns how many were new: a redelivered update enqueues the same dedupe keys and adds nothing.
 */
export async function enqueueMessages(
  db: Executor,
  messages: OutboxMessage[],
  sealer?: Sealer,
): Promise<number> {
  const statement = enqueueStatement(db, messages, sealer);
  if (!statement) return 0;
  const inserted = await statement.returning({ id: outbox.id });
  return inserted.length;
}

/** The statement enqueueMessages runs, unsent: to send it within a larger one (see inOneStatement). */
export function enqueueStatement(db: Executor, messages: OutboxMessage[], sealer?: Sealer) {
  if (messages.length === 0) return undefined;
  return db
    .insert(outbox)
    .values(
      messages.map((message) => ({
        ...outboxRow(message, sealer),
        // Due at once, whatever the clocks of the database and of this process say.
        nextAttemptAt: new Date(0),
      })),
    )
    .onConflictDoNothing({ target: outbox.dedupeKey });
}

/**
 * The statement enqueueStatement runs, writing its rows only if `condition` holds: an SQL boolean that
 * may test a CTE written beside it in the same statement (`exists (select 1 from added)`), e.g. queue
 * what relays a message only when the message itself was new. Unsent, for a larger statement.
 */
export function enqueueIfStatement(
  messages: OutboxMessage[],
  condition: SQL,
  sealer?: Sealer,
): SQL | undefined {
  if (messages.length === 0) return undefined;
  // Typed casts: the values come through a select, where nothing tells PostgreSQL their columns' types.
  const rows = sql.join(
    messages
      .map((message) => outboxRow(message, sealer))
      .map(
        (row) =>
          sql`select ${row.dedupeKey}::text, ${row.recipientKind}::text, ${row.recipientId}::text, ${row.method}::text, ${JSON.stringify(row.payload)}::jsonb, ${row.alertId}::integer`,
      ),
    sql` union all `,
  );
  return sql`insert into ${outbox} (dedupe_key, recipient_kind, recipient_id, method, payload, next_attempt_at, alert_id)
    select m.dedupe_key, m.recipient_kind, m.recipient_id, m.method, m.payload, to_timestamp(0), m.alert_id
      from (${rows}) as m (dedupe_key, recipient_kind, recipient_id, method, payload, alert_id)
     where ${condition}
    on conflict (dedupe_key) do nothing`;
}

function outboxRow(message: OutboxMessage, sealer: Sealer | undefined) {
  if ("chat_id" in message.payload) throw new Error("outbox payloads name a recipient, not a chat_id");
  return {
    dedupeKey: message.dedupeKey,
    recipientKind: message.recipient.kind,
    recipientId: message.recipient.id,
    method: message.method,
    // Sealed: a payload carries what people wrote; only the delivery loop opens it, at send time.
    payload: sealer ? { sealed: sealer.seal(JSON.stringify(message.payload)) } : message.payload,
    alertId: message.alertId ?? null,
  };
}
