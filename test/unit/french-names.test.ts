import { describe, expect, it } from "vitest";
import { createTranslations } from "../../src/bot/i18n";

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
