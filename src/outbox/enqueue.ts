import type { Executor } from "../db/executor";
import { outbox } from "../db/schema";
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

export type OutboxRecipient = { kind: "member" | "request" | "group" | "subscriber"; id: string };

export type OutboxMethod =
  | "sendMessage"
  | "copyMessage"
  | "sendPhoto"
  | "sendVoice"
  | "editMessageText"
  | "editMessageReplyMarkup";

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
  for (const message of messages) {
    if ("chat_id" in message.payload) throw new Error("outbox payloads name a recipient, not a chat_id");
  }
  return db
    .insert(outbox)
    .values(
      messages.map((message) => ({
        dedupeKey: message.dedupeKey,
        recipientKind: message.recipient.kind,
        recipientId: message.recipient.id,
        method: message.method,
        // Sealed: a payload carries what people wrote; only the delivery loop opens it, at send time.
        payload: sealer ? { sealed: sealer.seal(JSON.stringify(message.payload)) } : message.payload,
        // Due at once, whatever the clocks of the database and of this process say.
        nextAttemptAt: new Date(0),
        alertId: message.alertId ?? null,
      })),
    )
    .onConflictDoNothing({ target: outbox.dedupeKey });
}
