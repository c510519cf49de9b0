import type { Locale } from "../config";
import { escapeHtml } from "./html";

/** The article French puts before a name that is written without one ("Réseau Est Solidaire"). */
export type FrenchArticle = "le" | "la" | "l'" | "les";

/**
 * A name as it goes into a sentence (part 7, "names in French grammar"). Written alone (a card's title,
 * "— Réseau Est Solidaire" under an alert, the start of a line) it reads as given; right after "de" or
 * "à" in a French message, the translator puts in its article and contracts it: "l'équipe du Réseau Est
 * Solidaire", "la demande part au Réseau Est Solidaire", "à la Halte". Names that start with their
 * article ("Le Relais du Faubourg") need none: the translator already contracts those (src/bot/i18n.ts).
 * `toString` gives the name as written, so any other use of the value reads right too.
 */
export class NameInSentence {
  constructor(
    readonly name: string,
    readonly articleFr: FrenchArticle,
  ) {}

  toString(): string {
    return this.name;
  }

  /** The name with its article capitalised as a name's own article is: "Le Réseau Est Solidaire". */
  withArticle(): string {
    const article =
      this.articleFr === "l'" ? "L'" : `${this.articleFr[0]?.toUpperCase()}${this.articleFr.slice(1)} `;
    return article + this.name;
  }
}

/** What to give a message for an organisation's or a site's name, in that message's language. */
export function nameInSentence(
  named: { name: { fr: string; en: string }; articleFr?: FrenchArticle },
  locale: Locale,
): string | NameInSentence {
  return locale === "fr" && named.articleFr
    ? new NameInSentence(named.name.fr, named.articleFr)
    : named.name[locale];
}

/**
 * The same name for HTML built by hand (`withHtml` escapes no value): escaped, its article kept, so the
 * translator still contracts it ("du Réseau &lt;Est&gt;").
 */
export function escapedName(value: string | NameInSentence): string | NameInSentence {
  return value instanceof NameInSentence
    ? new NameInSentence(escapeHtml(value.name), value.articleFr)
    : escapeHtml(value);
}
