import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";
import { NameInSentence, nameInSentence } from "../../src/text/french-name";

const translations = createTranslations();
const fr = translations.forLocale("fr");
const en = translations.forLocale("en");

describe("names inside sentences read right in French", () => {
  it.each([
    [
      "team.join.done",
      { alias: "Marc", organisation: "Le Relais du Faubourg" },
      "Tu fais partie de l'équipe du Relais du Faubourg.",
    ],
    ["admin.members.title", { organisation: "Le Relais du Faubourg" }, "<b>Équipe du Relais du Faubourg</b>"],
    [
      "tools.done.stock_out",
      { material: "Naloxone", site: "Le Relais, comptoir Ontario", time: "13 h" },
      "Naloxone en rupture au Relais, comptoir Ontario depuis 13 h.",
    ],
    ["tools.done.stock_back", { material: "Naloxone", site: "Les Ateliers" }, "de retour aux Ateliers."],
    ["tools.done.note_removed", { site: "La Maison du Canal" }, "Le mot est retiré de la Maison du Canal."],
    [
      "referral.history",
      { organisation: "Les Amis du quartier" },
      "Cette demande vient des Amis du quartier.",
    ],
    ["referral.accepted", { nickname: "Héron", organisation: "L'Anonyme" }, "la demande part à l'Anonyme"],
    // A name with no article of its own goes in as written.
    [
      "team.join.done",
      { alias: "Marc", organisation: "Réseau Est Solidaire" },
      "l'équipe de Réseau Est Solidaire.",
    ],
  ])("%s", (key, vars, expected) => {
    expect(fr(key, vars)).toContain(expected);
    expect(fr(key, vars)).not.toMatch(/\b(de|à) (Le|Les|La|L') /);
  });

  // The directory gives an article to a name written without one (article_fr): put in and contracted
  // after "de" and "à", left out everywhere else.
  it.each([
    ["team.join.done", "organisation", "le", "Réseau Est Solidaire", "l'équipe du Réseau Est Solidaire."],
    [
      "admin.members.title",
      "organisation",
      "le",
      "Collectif Pas de côté",
      "<b>Équipe du Collectif Pas de côté</b>",
    ],
    [
      "referral.accepted",
      "organisation",
      "le",
      "Réseau Est Solidaire",
      "la demande part au Réseau Est Solidaire",
    ],
    [
      "referral.history",
      "organisation",
      "les",
      "Pharmacies du quartier",
      "vient des Pharmacies du quartier.",
    ],
    ["referral.accepted", "organisation", "les", "Lignes publiques", "part aux Lignes publiques"],
    ["tools.done.note_removed", "site", "la", "Halte du canal", "retiré de la Halte du canal."],
    ["tools.done.stock_back", "site", "l'", "Accueil Bonneau", "de retour à l'Accueil Bonneau."],
    // Not after de or à: the name as written, no article added.
    [
      "referral.question",
      "organisation",
      "le",
      "Réseau Est Solidaire",
      "Est-ce que Réseau Est Solidaire peut",
    ],
    ["tools.panel.title", "site", "la", "Halte du canal", "<b>Halte du canal</b>"],
  ] as const)("%s with %s %s", (key, field, article, name, expected) => {
    const vars = {
      alias: "Marc",
      nickname: "Héron",
      material: "Naloxone",
      [field]: new NameInSentence(name, article),
    };
    expect(fr(key, vars)).toContain(expected);
  });

  it.each([
    ["team.join.done", { alias: "M", organisation: "Organisme A" }, "l'équipe d'Organisme A."],
    ["directory.near.titlePlace", { place: "Atwater" }, "Près d'Atwater"],
    ["requests.notice.closed", { nickname: "Ours brun" }, "Demande d'Ours brun fermée."],
    ["team.join.done", { alias: "M", organisation: "Élan" }, "l'équipe d'Élan."],
    // Before h (maybe aspirated), a consonant or a digit: "de" stays.
    ["directory.near.titlePlace", { place: "Hochelaga" }, "Près de Hochelaga"],
    ["directory.near.titlePlace", { place: "Berri-UQAM" }, "Près de Berri-UQAM"],
  ])("elides de before a vowel: %s", (key, vars, expected) => {
    expect(fr(key, vars)).toContain(expected);
  });

  it("escapes a name given with its article like any other value", () => {
    expect(fr("team.join.done", { alias: "M", organisation: new NameInSentence("A&B <i>", "le") })).toContain(
      "l'équipe du A&amp;B &lt;i&gt;.",
    );
  });

  it("gives an article only in French", () => {
    const named = {
      name: { fr: "Réseau Est Solidaire", en: "East Solidarity Network" },
      articleFr: "le" as const,
    };
    expect(nameInSentence(named, "en")).toBe("East Solidarity Network");
    expect(en("team.join.done", { alias: "Marc", organisation: nameInSentence(named, "en") })).toContain(
      "East Solidarity Network",
    );
    expect(String(nameInSentence(named, "fr"))).toBe("Réseau Est Solidaire");
    expect(nameInSentence({ name: named.name }, "fr")).toBe("Réseau Est Solidaire");
  });

  it("leaves English alone", () => {
    expect(en("team.join.done", { alias: "Marc", organisation: "Le Relais du Faubourg" })).toContain(
      "Le Relais du Faubourg",
    );
  });

  it("leaves an article that is not after de or à alone", () => {
    expect(fr("referral.question", { organisation: "Le Relais", nickname: "Héron" })).toContain(
      "Est-ce que Le Relais peut",
    );
  });
});
