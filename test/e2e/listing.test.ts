import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { fixtureInput } from "../support/directory-fixture";
import { Chats } from "./chats";
import type { FakeUser } from "./fake-bot-api";
import { onBothDatabases, type Run } from "./support";

/**
 * Part 10, end to end: `npm start` and a coordinator keeps a site's listing true from the bot. They
 * change its usual hours (seen first as the next seven days), people's cards show them at once with the
 * age warning gone, "✅ still true" clears another site's warning, and the next `directory import` of the
 * unchanged file keeps the edit and says so.
 */
const COORDINATOR: FakeUser = {
  id: 5_604_220_173,
  firstName: "Rosalie",
  username: "rosalie_e2e",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_713_331_946,
  firstName: "Anatole",
  username: "anatole_e2e",
  languageCode: "fr",
};
const VISITOR: FakeUser = {
  id: 7_824_442_057,
  firstName: "Maeve",
  username: "maeve_e2e",
  languageCode: "en",
};

function directoryFile(): string {
  const input = fixtureInput();
  // Checked long ago: every card says so, until someone looks again.
  for (const site of input.sites) site.verified_on = "2026-01-15";
  // The run's own date decides the next seven days: no special date or cheque day may fall in them.
  input.cheque_days = [];
  for (const site of input.sites) site.special_dates = [];
  const file = path.join(tmpdir(), `perche-e2e-listing-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(input));
  return file;
}

async function keepingTheListingTrue(run: Run) {
  const file = directoryFile();
  await run.admin(["directory", "import", file]);
  const code = await run.invite("admin", "org-a");
  const bot = await run.startBot();
  const chats = new Chats(bot);

  await chats.say(COORDINATOR, `/start inv-${code}`, "Bienvenue");
  await chats.say(COORDINATOR, "Rosalie", "✅ C'est fait, Rosalie.");
  // A site's card, as someone who types its name reads it.
  const card = (who: FakeUser, name: string) => chats.say(who, name, `<b>${name}</b>`);
  expect(await card(PERSON, "Le Local de jour")).toContain("⚠️ Vérifié il y a");

  await chats.say(COORDINATOR, "/lieux", "Quel lieu veux-tu mettre à jour?");
  await chats.choose(COORDINATOR, "wtp:day-site", "🛠 <b>Le Local de jour</b>");
  await chats.choose(COORDINATOR, "wed:day-site", "✏️ <b>Fiche du Local de jour</b>");
  await chats.choose(COORDINATOR, "wef:day-site:h", "Dans la fiche : <code>Mo-Fr 09:00-17:00; PH off</code>");
  const preview = await chats.say(COORDINATOR, "Mo-Su 07:00-23:00", "Les 7 prochains jours du Local de jour");
  expect(preview.match(/ : 7 h à 23 h/g)).toHaveLength(7);
  // The editor's buttons carry its dialogue's token: the one under the preview.
  const save = chats.api.calls
    .flatMap((c) => (Number(c.payload.chat_id) === COORDINATOR.id ? JSON.stringify(c.payload) : []))
    .join("")
    .match(/se:[a-z0-9]+:ok/g)
    ?.at(-1);
  await chats.choose(COORDINATOR, save ?? "se:?:ok", "✅ Enregistré : les horaires du Local de jour.");

  const after = await card(PERSON, "Le Local de jour");
  expect(after.match(/ : 7 h à 23 h/g)).toHaveLength(7);
  expect(after).not.toContain("⚠️ Vérifié il y a");
  const english = await card(VISITOR, "The Day Place");
  expect(english.match(/: 7:00–23:00/g)).toHaveLength(7);
  expect(english).toMatch(/✔️ Checked on /);

  // Another site, nothing to change: one tap says it is still true.
  await chats.say(COORDINATOR, "/lieux", "Quel lieu veux-tu mettre à jour?");
  await chats.choose(COORDINATOR, "wtp:night-site", "🛠 <b>La Veille de nuit</b>");
  await chats.choose(COORDINATOR, "wtv:night-site", "vérifié aujourd'hui");
  expect(await card(PERSON, "La Veille de nuit")).not.toContain("⚠️ Vérifié il y a");

  // A closure tells who asked to know: a Centre-Sud subscriber gets its alert, seen first by its author.
  await chats.say(VISITOR, "/alerts", /./);
  await chats.choose(VISITOR, "al:p:centre-sud", /Centre-Sud/);
  await chats.say(COORDINATOR, "/lieux", "Quel lieu veux-tu mettre à jour?");
  await chats.choose(COORDINATOR, "wtp:day-site", "🛠 <b>Le Local de jour</b>");
  await chats.choose(COORDINATOR, "wtd:day-site", "Quel jour");
  await chats.say(COORDINATOR, "demain", "✅ Noté : Le Local de jour fermé demain");
  const offer = chats.api.calls.findLast(
    (c) => Number(c.payload.chat_id) === COORDINATOR.id && JSON.stringify(c.payload).includes("wta:"),
  )?.payload.reply_markup as { inline_keyboard: { callback_data?: string }[][] } | undefined;
  const alertButton = offer?.inline_keyboard
    .flat()
    .find((b) => b.callback_data?.startsWith("wta:"))?.callback_data;
  expect(alertButton).toMatch(/^wta:day-site:\d{4}-\d{2}-\d{2}$/);
  await chats.choose(COORDINATOR, alertButton ?? "", "Elle ira à 1 personne abonnée. On envoie?");
  const from = await chats.tap(COORDINATOR, "bc:send");
  await chats.expectSent(VISITOR, from, /^⚠️ .*\n🔒 Closed: The Day Place, /s, "the closure's alert");

  await bot.expectCleanStop();
  // The file was never changed: importing it again keeps the coordinator's hours, and says so.
  const report = await run.admin(["directory", "import", file]);
  expect(report).toContain(
    "Kept 1 edit(s) made in the bot, which the file does not change: day-site (hours).",
  );
  const exported = await run.admin(["directory", "export"]);
  expect(exported).toContain("hours: Mo-Su 07:00-23:00");
}

onBothDatabases(
  "a coordinator keeping a site's listing true, from outside",
  "edits the usual hours with a preview, people see them at once, and an import of the old file keeps them",
  "perche-e2e-listing-",
  keepingTheListingTrue,
  { timeoutMs: 120_000 },
);
