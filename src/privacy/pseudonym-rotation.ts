import type { Executor } from "../db/executor";
import { adoptPreviousPseudonyms } from "./rotation";

// Enough to remember a city's worth of people for a process's life without growing without bound.
const MAX_REMEMBERED = 100_000;

/**
 * Moves a person's rows from their previous pseudonyms to the current ones, once per person and process.
 * What it remembers is the current pseudonym, in memory only: never the Telegram id.
 */
export class PseudonymRotation {
  private readonly done = new Set<string>();

  constructor(readonly previousKeys: readonly string[]) {}

  async adopt(db: Executor, currentKey: string, telegramUserId: number, pseudonym: string): Promise<void> {
    if (this.previousKeys.length === 0 || this.done.has(pseudonym)) return;
    await adoptPreviousPseudonyms(db, currentKey, this.previousKeys, telegramUserId);
    this.done.add(pseudonym);
    if (this.done.size > MAX_REMEMBERED) this.done.delete(this.done.values().next().value as string);
  }
}
