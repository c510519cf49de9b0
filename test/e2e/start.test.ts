import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type FakeBotApi, type Payload, type RecordedCall, startFakeBotApi } from "./fake-bot-api";

/**
 * The "Done when", end to end: `npm start` with BOT_TOKEN and TELEGRAM_API_ROOT pointing at a
 * local Bot API answers a French speaker in French and an English speaker in English: /start, a
 * material, a shared location, an overdose. Once on the embedded database, once on PostgreSQL when
 * TEST_DATABASE_URL is set. Nothing the people typed, and none of their ids, reaches the logs.
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const TEST_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 45_000;
const REPLY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
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
const directory = parse(readFileSync(path.join(REPO_ROOT, "directory/example-montreal.yaml"), "utf8")) as {
  sites: YamlSite[];
  meta: { emergency_number: string };
};
const escapeHtml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
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

// --- The child process ------------------------------------------------------------------------------

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type GroupMember = { pid: number; ppid: number; args: string };

class BotProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    // Its own process group, so npm, the shell, tsx and the node running main.ts can be stopped together.
    this.child = spawn("npm", ["start"], { cwd: REPO_ROOT, env, detached: true, stdio: "pipe" });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Sends a signal to every process of the group (npm, its shell, tsx, the node running main.ts). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  /** The live processes of the group, read from /proc (zombies left for init to reap do not count). */
  members(): GroupMember[] {
    const group = this.child.pid;
    if (!group) return [];
    const members: GroupMember[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
        const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(pgrp) !== group || state === "Z") continue;
        const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
        members.push({ pid: Number(entry), ppid: Number(ppid), args });
      } catch {
        // The process ended while we were reading it.
      }
    }
    return members;
  }

  /** The process actually running src/main.ts: the deepest one of the group that names it. */
  botPid(): number | undefined {
    const running = this.members().filter((m) => m.args.includes("src/main.ts"));
    return running.find((m) => !running.some((other) => other.ppid === m.pid))?.pid;
  }

  /** Last resort for afterEach: SIGTERM the whole group, then SIGKILL whatever is left of it. */
  async kill(): Promise<void> {
    if (this.members().length === 0) return;
    this.signalGroup("SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (this.members().length > 0 && Date.now() < deadline) await sleep(100);
    if (this.members().length > 0) this.signalGroup("SIGKILL");
  }

  logs(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  /** The JSON log lines pino wrote to stdout (npm's own banner lines are skipped). */
  jsonLogs(): Payload[] {
    return this.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Payload);
  }

  describe(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Waits for a recorded call, but fails at once (with the logs) if the bot process dies meanwhile. */
async function waitForCall(
  api: FakeBotApi,
  bot: BotProcess,
  predicate: (call: RecordedCall, index: number) => boolean,
  timeoutMs: number,
  what: string,
): Promise<RecordedCall> {
  const died = bot.exited.then((exit) => {
    throw new Error(`the bot exited (${JSON.stringify(exit)}) while waiting for ${what}\n${bot.describe()}`);
  });
  try {
    return await Promise.race([api.waitFor(predicate, timeoutMs), died]);
  } catch (error) {
    if (bot.running) throw new Error(`${(error as Error).message} (waiting for ${what})\n${bot.describe()}`);
    throw error;
  } finally {
    died.catch(() => {});
  }
}

// --- Updates ----------------------------------------------------------------------------------------

let nextUpdateId = 500_000;
let nextMessageId = 1;

function messageUpdate(person: Person, content: Payload): Payload & { update_id: number } {
  const from = {
    id: person.id,
    is_bot: false,
    first_name: person.firstName,
    username: person.username,
    language_code: person.locale,
  };
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: person.id, type: "private", first_name: person.firstName, username: person.username },
      from,
      ...content,
    },
  };
}

const text = (value: string): Payload =>
  value.startsWith("/")
    ? { text: value, entities: [{ type: "bot_command", offset: 0, length: value.split(" ")[0]?.length }] }
    : { text: value };

/** Sends one update from a person and returns the bot's next sendMessage to that chat. */
async function exchange(api: FakeBotApi, bot: BotProcess, person: Person, content: Payload, what: string) {
  const from = api.calls.length;
  api.queueUpdate(messageUpdate(person, content));
  const call = await waitForCall(
    api,
    bot,
    (c, i) => i >= from && c.method === "sendMessage" && Number(c.payload.chat_id) === person.id,
    REPLY_TIMEOUT_MS,
    `the reply to ${what} (${person.locale})`,
  );
  return String(call.payload.text);
}

// --- The scenario -----------------------------------------------------------------------------------

type Replies = { start: string; naloxone: string; location: string; overdose: string };

async function conversation(api: FakeBotApi, bot: BotProcess, person: Person): Promise<Replies> {
  const start = await exchange(api, bot, person, text("/start"), "/start");
  const naloxone = await exchange(api, bot, person, text("naloxone"), "naloxone");
  const location = await exchange(api, bot, person, { location: LOCATION }, "a location");
  const overdose = await exchange(api, bot, person, text("overdose"), "overdose");
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

function childEnv(dataDir: string, apiRoot: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what this run sets: nothing from the developer's shell may change the mode or the database.
  for (const name of [
    "DATABASE_URL",
    "PSEUDONYM_KEY",
    "ENCRYPTION_KEY",
    "BOT_MODE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "DEFAULT_LOCALE",
    "TEST_DATABASE_URL",
  ])
    delete env[name];
  return {
    ...env,
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    ...extra,
  };
}

let api: FakeBotApi | undefined;
let bot: BotProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await bot?.kill();
  bot = undefined;
  await api?.close();
  api = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function runScenario(extraEnv: Record<string, string>, database: "pglite" | "postgres") {
  api = await startFakeBotApi(TOKEN);
  dataDir = mkdtempSync(path.join(tmpdir(), "perche-e2e-"));
  const running = new BotProcess(childEnv(dataDir, api.apiRoot, extraEnv));
  bot = running;
  const fake = api;

  // Started: it introduced itself, registered its profile and is long polling.
  await waitForCall(fake, running, (c) => c.method === "getUpdates", START_TIMEOUT_MS, "getUpdates");
  const methods = new Set(fake.calls.map((c) => c.method));
  for (const method of [
    "getMe",
    "deleteWebhook",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
  ])
    expect(methods).toContain(method);

  // Two people at once, one in French and one in English.
  const [fr, en] = PEOPLE as [Person, Person];
  const [frReplies, enReplies] = await Promise.all([
    conversation(fake, running, fr),
    conversation(fake, running, en),
  ]);
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

  const unknown = fake.calls.filter(
    (c) =>
      ![
        "getMe",
        "deleteWebhook",
        "setMyCommands",
        "setMyDescription",
        "setMyShortDescription",
        "getUpdates",
        "sendMessage",
      ].includes(c.method),
  );
  expect(unknown.map((c) => c.method)).toEqual([]);

  // A clean stop on SIGTERM sent to npm alone, as a container runtime or a process manager does: `exec`
  // in the start script lets it reach tsx and the bot, whose exit code comes back through npm.
  expect(running.botPid(), `no process runs src/main.ts: ${JSON.stringify(running.members())}`).toBeDefined();
  process.kill(running.child.pid as number, "SIGTERM");
  const exit = await withTimeout(running.exited, STOP_TIMEOUT_MS, "npm start exiting after SIGTERM");
  expect(exit, running.describe()).toEqual({ code: 0, signal: null });
  const deadline = Date.now() + 2_000;
  while (running.members().length > 0 && Date.now() < deadline) await sleep(50);
  expect(running.members(), "processes of npm start outlived it").toEqual([]);

  // The logs: the example directory was loaded, nothing went wrong, nothing about the people.
  const logs = running.jsonLogs();
  const messages = logs.map((line) => String(line.msg));
  expect(
    messages.some((msg) => msg.includes("EXAMPLE")),
    running.describe(),
  ).toBe(true);
  expect(logs.find((line) => line.msg === "database ready")?.database).toBe(database);
  expect(messages).toContain("Perche is running");
  expect(
    messages.some((msg) => msg.startsWith("stopping")),
    running.describe(),
  ).toBe(true);
  expect(
    logs.filter((line) => Number(line.level) >= 50),
    running.describe(),
  ).toEqual([]);

  const all = running.logs();
  expect(all.toLowerCase()).not.toContain("naloxone");
  expect(all.toLowerCase()).not.toContain("overdose");
  expect(all).not.toContain(String(LOCATION.latitude));
  expect(all).not.toContain(String(LOCATION.longitude));
  expect(all).not.toContain(TOKEN);
  expect(all).not.toContain(TOKEN.split(":")[1]);
  for (const person of PEOPLE) {
    expect(all).not.toMatch(new RegExp(`(?<![0-9])${person.id}(?![0-9])`));
    expect(all).not.toContain(person.firstName);
    expect(all).not.toContain(person.username);
  }
}

describe("npm start against a local Bot API, on the embedded database (PGlite)", () => {
  it(
    "answers French and English speakers: /start, naloxone, a location, overdose; stops on SIGTERM",
    () => runScenario({}, "pglite"),
    TEST_TIMEOUT_MS,
  );
});

describe.runIf(process.env.TEST_DATABASE_URL)("npm start against a local Bot API, on PostgreSQL", () => {
  const adminUrl = process.env.TEST_DATABASE_URL ?? "";
  const name = `perche_e2e_${randomBytes(6).toString("hex")}`;
  let created = false;

  beforeAll(async () => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`create database ${admin(name)}`;
      created = true;
    } finally {
      await admin.end({ timeout: 5 });
    }
  });

  afterAll(async () => {
    if (!created) return;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin`drop database if exists ${admin(name)} with (force)`;
    } finally {
      await admin.end({ timeout: 5 });
    }
  });

  it(
    "answers French and English speakers: /start, naloxone, a location, overdose; stops on SIGTERM",
    () => {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return runScenario(
        {
          DATABASE_URL: url.toString(),
          PSEUDONYM_KEY: randomBytes(32).toString("base64"),
          ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        },
        "postgres",
      );
    },
    TEST_TIMEOUT_MS,
  );
});
