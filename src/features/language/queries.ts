import { eq } from "drizzle-orm";
import type { Locale } from "../../config";
import type { Executor } from "../../db/executor";
import { languageChoices } from "../../db/schema";

export async function getLanguageChoice(db: Executor, pseudonym: string): Promise<Locale | undefined> {
  const rows = await db
    .select({ locale: languageChoices.locale })
    .from(languageChoices)
    .where(eq(languageChoices.pseudonym, pseudonym));
  return rows[0]?.locale;
}

export async function setLanguageChoice(
  db: Executor,
  pseudonym: string,
  locale: Locale,
  now: Date,
): Promise<void> {
  await db
    .insert(languageChoices)
    .values({ pseudonym, locale, updatedAt: now })
    .onConflictDoUpdate({ target: languageChoices.pseudonym, set: { locale, updatedAt: now } });
}

export async function clearLanguageChoice(db: Executor, pseudonym: string): Promise<void> {
  await db.delete(languageChoices).where(eq(languageChoices.pseudonym, pseudonym));
}
