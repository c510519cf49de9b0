import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { fixtureInput } from "../support/directory-fixture";
import { Chats, sentText } from "./chats";
import type { FakeUser } from "./fake-bot-api";
import { onBothDatabases, type Run } from "./support";

/**
 * Part 8's wrong answers, end to end: `npm start` with its clock set from outside (a test-only
 * --import that shifts Date, test/e2e/clock-from-outside.mjs) to 01:15 EST on 1 November 2026, the
 * second 1:15 of the night the clocks fall back. A site open until 1:30 is closed; a site closed that
 * date does not run its night into it; a worker closes the night that is running, and people see it.
 */
const CLOCK = "2026-11-01T01:15:00-05:00";
const PRELOAD = fileURLToPath(new URL("./clock-from-outside.mjs", import.meta.url));

const WORKER: FakeUser = {
  id: 5_604_118_273,
  firstName: "Léontine",
  username: "leontine_e2e",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_713_250_846,
  firstName: "Gaspard",
  username: "gaspard_e2e",
  languageCode: "fr",
};
const VISITOR: FakeUser = { id: 7_824_361_957, firstName: "Owen", username: "owen_e2e", languageCode: "en" };

function directoryFile(): string {
  const input = fixtureInput();
  const site = (id: string, fr: string, en: string, hours: string, extra: object = {}) => ({
    id,
    organisation: "org-a",
    type: "drop_in" as const,
    name: { fr, en },
    address: "300, rue Ontario Est",
    location: { lat: 45.52, lon: -73.56 },
    hours,
    materials: ["naloxone"],
    languages: ["fr"],
    verified_on: "2026-10-01",
    ...extra,
  });
  input.sites = [
    site("saturday-stop", "La Halte du samedi", "The Saturday Stop", "Sa 20:00-01:30"),
    site("night-stay", "La Nuitée", "The Night Stay", "Mo-Su 20:00-04:00", {
      special_dates: [{ date: "2026-11-01", hours: "off" }],
    }),
    site("lookout", "La Vigie", "The Lookout", "Mo-Su 20:00-04:00"),
  ];
  const file = path.join(tmpdir(), `perche-e2e-hours-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(input));
  return file;
}

async function nightOfTheClockChange(run: Run) {
  await run.admin(["directory", "import", directoryFile()]);
  const code = await run.invite("worker", "org-a");
  const bot = await run.startBot();
  const chats = new Chats(bot);

  // The repeated hour: closed since the first 1:30, never "open until 1:30" again.
  const open = await chats.say(PERSON, "/ouvert", "Ouvert");
  expect(open).not.toContain("1 h 30");
  await chats.choose(PERSON, "site:saturday-stop", "🔴 Fermé · ouvre samedi à 20 h");
  await chats.say(VISITOR, "/open", "Open");
  await chats.choose(VISITOR, "site:saturday-stop", "🔴 Closed · opens Saturday at 20:00");
  // A date closed on the file: the night of the 31st stopped at midnight.
  const closedDate = sentText(
    await chats.choose(PERSON, "site:night-stay", "🔴 Fermé · ouvre demain à 20 h"),
  );
  expect(closedDate).toContain("dim. 1er nov. : fermé");

  // A worker closes the night that is running, which started yesterday.
  await chats.say(WORKER, `/start inv-${code}`, "Bienvenue dans l'équipe");
  await chats.say(WORKER, "Léo", "✅ C'est fait, Léo.");
  await chats.choose(PERSON, "site:lookout", "🟢 Ouvert jusqu'à 4 h");
  await chats.say(WORKER, "/lieux", "Quel lieu veux-tu mettre à jour?");
  await chats.choose(WORKER, "wtp:lookout", "🛠 <b>La Vigie</b>");
  await chats.choose(
    WORKER,
    "wte:lookout",
    "✅ Noté : La Vigie est fermé maintenant (c'était ouvert jusqu'à 4 h).",
  );
  await chats.say(
    PERSON,
    "/ouvert",
    "<b>La Vigie</b>\n300, rue Ontario Est\n🔴 Fermé · ouvre aujourd'hui à 20 h",
  );
  await chats.choose(PERSON, "site:lookout", "🔴 Fermé · ouvre aujourd'hui à 20 h");
  await chats.say(
    VISITOR,
    "/open",
    "<b>The Lookout</b>\n300, rue Ontario Est\n🔴 Closed · opens today at 20:00",
  );
  await chats.choose(VISITOR, "site:lookout", "🔴 Closed · opens today at 20:00");

  await bot.expectCleanStop();
}

onBothDatabases(
  "hours on the night the clocks fall back, with the clock set from outside",
  "closes at the first 1:30, keeps a closed date closed all night, and lets a worker close the running night",
  "perche-e2e-hours-",
  nightOfTheClockChange,
  { extraEnv: { NODE_OPTIONS: `--import ${PRELOAD}`, PERCHE_E2E_CLOCK: CLOCK } },
);
