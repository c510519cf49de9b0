import { expect } from "vitest";
import { type FakeUser, messageUpdate } from "./fake-bot-api";
import { type Bot, onBothDatabases, type Run } from "./support";

/**
 * Issue 12, end to end: `npm start` on the shipped example answers what people type: emergency words,
 * a call for help, a greeting, short place names, what a substance calls for, and one "not found";
 * and its registered menu lists /parler, /mademande and /annuler (and /talk, /myrequest, /cancel).
 */

type Person = FakeUser & { locale: "fr" | "en" };
const FRENCH: Person = { id: 8_120_334_771, locale: "fr", languageCode: "fr", firstName: "Aurore" };
const ENGLISH: Person = { id: 8_120_334_772, locale: "en", languageCode: "en", firstName: "Bram" };

/** Sends one text and returns every message the bot sent that chat in answer (it waits for the first). */
async function answer(bot: Bot, person: Person, text: string) {
  const from = bot.api.calls.length;
  bot.api.queueUpdate(messageUpdate(person, text));
  const first = await bot.waitForCall(
    (c, i) => i >= from && c.method === "sendMessage" && Number(c.payload.chat_id) === person.id,
    `the reply to ${text} (${person.locale})`,
  );
  return { text: String(first.payload.text), markup: JSON.stringify(first.payload.reply_markup ?? {}) };
}

const CASES: [Person, string, RegExp][] = [
  [FRENCH, "urgence", /Surdose\? Appelle le 911 maintenant/],
  [FRENCH, "sur dose", /Surdose\? Appelle le 911 maintenant/],
  [FRENCH, "au secours", /Surdose\? Appelle le 911 maintenant/],
  [FRENCH, "j'ai besoin d'aide", /Tu peux écrire à un·e intervenant·e ici, sans dire qui tu es/],
  [FRENCH, "bonjour", /^Salut! 👋/],
  [FRENCH, "merci", /^Avec plaisir/],
  [FRENCH, "berri", /📍 <b>Près de Berri-UQAM<\/b>/],
  [FRENCH, "st-henri", /📍 <b>Près de Saint-Henri<\/b>/],
  [FRENCH, "crack", /J'ai trouvé plusieurs choses/],
  [FRENCH, "snif", /Pailles à sniffer<\/b> : où en trouver/],
  [FRENCH, "seringues urgent", /Seringues et aiguilles stériles<\/b> : où en trouver/],
  [FRENCH, "asdfgh", /^Je n'ai pas trouvé ça[\s\S]*911/],
  [ENGLISH, "emergency", /Overdose\? Call 911 now/],
  [ENGLISH, "911", /Overdose\? Call 911 now/],
  [ENGLISH, "I need help", /You can write to a worker here, without saying who you are/],
  [ENGLISH, "thanks", /^You're welcome/],
  [ENGLISH, "downtown", /📍 <b>Near Downtown \(Ville-Marie\)<\/b>/],
  [ENGLISH, "hochelaga", /📍 <b>Near Hochelaga-Maisonneuve<\/b>/],
  [ENGLISH, "fentanyl", /I found a few things/],
  [ENGLISH, "safe supply", /You can write to a worker here/],
];

async function runScenario(run: Run) {
  const running = await run.startBot();
  const menus = run.api.calls.filter((c) => c.method === "setMyCommands");
  const names = (language: string | undefined) =>
    (
      (menus.find((c) => c.payload.language_code === language)?.payload.commands ?? []) as {
        command: string;
      }[]
    ).map((c) => c.command);
  for (const command of ["parler", "mademande", "annuler"]) expect(names("fr")).toContain(command);
  for (const command of ["talk", "myrequest", "cancel"]) expect(names("en")).toContain(command);

  for (const [person, text, expected] of CASES) {
    const reply = await answer(running, person, text);
    expect(reply.text, `${person.locale}: ${text}`).toMatch(expected);
    if (/intervenant|worker here/.test(reply.text)) expect(reply.markup).toContain('"callback_data":"talk"');
  }
  // One message for each phrase: never a second message, never a 13-button picker after "not found".
  for (const person of [FRENCH, ENGLISH]) {
    const sent = run.api.calls.filter(
      (c) => c.method === "sendMessage" && Number(c.payload.chat_id) === person.id,
    );
    expect(sent).toHaveLength(CASES.filter(([p]) => p === person).length);
  }
  await running.expectCleanStop();
  running.expectLogsClean([
    { id: FRENCH.id, firstName: "Aurore", username: "aurore_e2e" },
    { id: ENGLISH.id, firstName: "Bram", username: "bram_e2e" },
  ]);
}

onBothDatabases(
  "what people type, through npm start",
  "answers emergency, help, greeting, place and substance words in French and English with one message each",
  "perche-e2e-intent-",
  runScenario,
);
