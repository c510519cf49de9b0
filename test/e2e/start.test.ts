import { expect } from "vitest";
import { type FakeUser, messageUpdate, type Payload } from "./fake-bot-api";
import {
  type Bot,
  escapeHtml,
  exampleDirectory,
  onBothDatabases,
  type Run,
  STARTUP_METHODS,
  TOKEN,
} from "./support";

/**
 * The "Done when", end to end: `npm start` with BOT_TOKEN and TELEGRAM_API_ROOT pointing at a
 * local Bot API answers a French speaker in French and an English speaker in English: /start, a
 * material, a shared location, an overdose. Once on the embedded database, once on PostgreSQL when
 * TEST_DATABASE_URL is set. Nothing the people typed, and none of their ids, reaches the logs.
 */

const LOCATION = { latitude: 45.523, longitude: -73.559 };

type Locale = "fr" | "en";
type Person = { id: number; locale: Locale; firstName: string; username: string };

// Distinctive ids and names, so finding them in the logs cannot be a coincidence.
const PEOPLE: Person[] = [
  { id: 7_391_028_465, locale: "fr", firstName: "Ysolde", username: "ysolde_e2e" },
  { id: 6_284_917_352, locale: "en", firstName: "Bartholomew", username: "bartholomew_e2e" },
];

// --- What the example directory says ------------------------------------------------------------------

type YamlSite = { name: Record<Locale, string>; materials?: string[] };
const directory = exampleDirectory() as {
  sites: YamlSite[];
  meta: { emergency_number: string };
};
const siteNames = (locale: Locale, sites = directory.sites) => sites.map((s) => escapeHtml(s.name[locale]));
const naloxoneSites = directory.sites.filter((s) => s.materials?.includes("naloxone"));

const EXPECTED: Record<
  Locale,
  { welcome: string; materialTitle: string; nearTitle: string; call: string; otherLanguage: RegExp }
> = {
  fr: {
    welcome: "Salut",
    materialTitle: "où en trouver",
    nearTitle: "Près de toi",
    call: `Appelle le ${directory.meta.emergency_number}`,
    otherLanguage: /Hi, this is|where to get it|Near you|Call 911/,
  },
  en: {
    welcome: "Hi",
    materialTitle: "where to get it",
    nearTitle: "Near you",
    call: `Call ${directory.meta.emergency_number}`,
    otherLanguage: /Salut|où en trouver|Près de toi|Appelle le/,
  },
};

// --- Talking to the bot -----------------------------------------------------------------------------

/** Sends one update from a person and returns the bot's next sendMessage to that chat. */
async function exchange(bot: Bot, person: Person, content: Payload | string, what: string) {
  const from = bot.api.calls.length;
  const user: FakeUser = { ...person, languageCode: person.locale };
  bot.api.queueUpdate(messageUpdate(user, content));
  const call = await bot.waitForCall(
    (c, i) => i >= from && c.method === "sendMessage" && Number(c.payload.chat_id) === person.id,
    `the reply to ${what} (${person.locale})`,
  );
  return String(call.payload.text);
}

// --- The scenario -----------------------------------------------------------------------------------

type Replies = { start: string; naloxone: string; location: string; overdose: string };

async function conversation(bot: Bot, person: Person): Promise<Replies> {
  const start = await exchange(bot, person, "/start", "/start");
  const naloxone = await exchange(bot, person, "naloxone", "naloxone");
  const location = await exchange(bot, person, { location: LOCATION }, "a location");
  const overdose = await exchange(bot, person, "overdose", "overdose");
  return { start, naloxone, location, overdose };
}

function expectInLanguage(replies: Replies, locale: Locale): void {
  const expected = EXPECTED[locale];
  expect(replies.start).toContain(expected.welcome);

  expect(replies.naloxone).toContain("Naloxone");
  expect(replies.naloxone).toContain(expected.materialTitle);
  const naloxoneShown = siteNames(locale, naloxoneSites).filter((name) => replies.naloxone.includes(name));
  expect(naloxoneShown.length, replies.naloxone).toBeGreaterThan(0);

  expect(replies.location).toContain(expected.nearTitle);
  const nearShown = siteNames(locale).filter((name) => replies.location.includes(name));
  expect(nearShown.length, replies.location).toBeGreaterThan(0);

  expect(replies.overdose).toContain(directory.meta.emergency_number);
  expect(replies.overdose).toContain(expected.call);

  // Nothing in the other language: neither its words nor its names for the sites
  // (addresses are not translated, and some English names quote the French one).
  const other: Locale = locale === "fr" ? "en" : "fr";
  const otherNames = directory.sites
    .filter((s) => !s.name[locale].includes(s.name[other]))
    .map((s) => escapeHtml(s.name[other]));
  for (const reply of Object.values(replies)) {
    expect(reply).not.toMatch(expected.otherLanguage);
    for (const name of otherNames) expect(reply).not.toContain(name);
  }
}

async function runScenario(run: Run) {
  const fake = run.api;
  const running = await run.startBot();

  // Started: it introduced itself, registered its profile and is long polling.
  const methods = new Set(fake.calls.map((c) => c.method));
  for (const method of STARTUP_METHODS) expect(methods).toContain(method);

  // Two people at once, one in French and one in English.
  const [fr, en] = PEOPLE as [Person, Person];
  const [frReplies, enReplies] = await Promise.all([conversation(running, fr), conversation(running, en)]);
  expectInLanguage(frReplies, "fr");
  expectInLanguage(enReplies, "en");
  // One answer per message, no more: a second message would have been read as the next answer.
  for (const person of PEOPLE) {
    const sent = fake.calls.filter(
      (c) => c.method === "sendMessage" && Number(c.payload.chat_id) === person.id,
    );
    expect(sent, `${person.locale}: ${JSON.stringify(sent.map((c) => c.payload.text))}`).toHaveLength(4);
  }
  expect(frReplies.start).not.toContain("Hi, this is");
  expect(enReplies.start).not.toContain("Salut");

  running.expectNoCallsBut(["sendMessage"]);

  // A clean stop on SIGTERM, once it is sure main.ts itself was running under npm and tsx.
  expect(running.botPid(), `no process runs src/main.ts: ${JSON.stringify(running.members())}`).toBeDefined();
  await running.expectCleanStop();

  // The logs: the example directory was loaded, nothing went wrong, nothing about the people.
  running.expectLogsClean(PEOPLE);
  const messages = running.jsonLogs().map((line) => String(line.msg));
  expect(
    messages.some((msg) => msg.includes("EXAMPLE")),
    running.describe(),
  ).toBe(true);
  expect(messages).toContain("Perche is running");
  expect(
    messages.some((msg) => msg.startsWith("stopping")),
    running.describe(),
  ).toBe(true);

  const all = running.logs();
  expect(all.toLowerCase()).not.toContain("naloxone");
  expect(all.toLowerCase()).not.toContain("overdose");
  expect(all).not.toContain(String(LOCATION.latitude));
  expect(all).not.toContain(String(LOCATION.longitude));
  expect(all).not.toContain(TOKEN);
}

onBothDatabases(
  "npm start against a local Bot API",
  "answers French and English speakers: /start, naloxone, a location, overdose; stops on SIGTERM",
  "perche-e2e-",
  runScenario,
);
