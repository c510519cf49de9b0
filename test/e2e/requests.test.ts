import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buttonData,
  callbackQueryUpdate,
  type FakeBotApi,
  type FakeUser,
  messageUpdate,
  type Payload,
  type RecordedCall,
  startFakeBotApi,
} from "./fake-bot-api";

/**
 * Part 2's "Done when", end to end: with `npm start` against a local Bot API, a worker invited through
 * the command line goes on call; a French-speaking person sends a request; the worker's notice carries
 * none of the person's identifiers; the worker claims and answers; the person gets the answer and
 * replies; the worker gets the reply. And with nobody on call, the person is told at once and the request
 * reaches the first worker who goes on call. Once on the embedded database, once on PostgreSQL when
 * TEST_DATABASE_URL is set.
 *
 * The process helpers follow test/e2e/start.test.ts (its own group, a clean environment, SIGTERM).
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
const BOT_USERNAME = "PercheTestBot";
const ORGANISATION = "relais-faubourg";
const TEST_TIMEOUT_MS = 90_000;
const ADMIN_TIMEOUT_MS = 45_000;
const START_TIMEOUT_MS = 45_000;
const REPLY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

// Distinctive ids and names, so finding them anywhere cannot be a coincidence.
const WORKER: FakeUser = {
  id: 5_203_948_176,
  firstName: "Wilhelmina",
  username: "wilhelmina_e2e",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_418_265_039,
  firstName: "Ysolde",
  username: "ysolde_e2e",
  languageCode: "fr",
};
/** Asks while nobody is on call. */
const WAITING: FakeUser = {
  id: 6_830_517_294,
  firstName: "Philibert",
  username: "philibert_e2e",
  languageCode: "fr",
};
const ALIAS = "Marc";

const WORDS = "J'ai besoin d'un endroit pour dormir ce soir, zéphyr-4471";
const WAITING_WORDS = "Je cherche un lit pour cette nuit, quokka-9158";
const ANSWER = "Salut! On a une place au refuge ce soir, viens avant 21 h (mandarine-2203).";
const REPLY = "Merci, j'arrive dans vingt minutes (capybara-6612)";

// --- What the example directory says ------------------------------------------------------------------

const directory = parse(readFileSync(path.join(REPO_ROOT, "directory/example-montreal.yaml"), "utf8")) as {
  places: { id: string; kind: string; name: { fr: string } }[];
  organisations: { id: string; name: { fr: string } }[];
};
const AREA = directory.places.find((p) => p.kind === "neighbourhood");
const ORGANISATION_NAME = directory.organisations.find((o) => o.id === ORGANISATION)?.name.fr;

// --- Child processes ----------------------------------------------------------------------------------

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type GroupMember = { pid: number; ppid: number; args: string };

/** An npm command in its own process group, its output kept. */
class NpmProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn("npm", args, { cwd: REPO_ROOT, env, detached: true, stdio: "pipe" });
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

/** `npm run admin -- <args>`, which must succeed; the embedded database allows it only with the bot stopped. */
async function admin(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const run = new NpmProcess(["run", "admin", "--", ...args], env);
  running.add(run);
  try {
    const exit = await withTimeout(run.exited, ADMIN_TIMEOUT_MS, `npm run admin -- ${args.join(" ")}`);
    expect(exit, `npm run admin -- ${args.join(" ")}\n${run.describe()}`).toEqual({ code: 0, signal: null });
    return run.stdout;
  } finally {
    await run.kill();
    running.delete(run);
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

// --- Talking to the bot -------------------------------------------------------------------------------

const sentText = (call: RecordedCall) => String(call.payload.text ?? "");
const isSendTo = (call: RecordedCall, user: FakeUser) =>
  call.method === "sendMessage" && Number(call.payload.chat_id) === user.id;

/** One run of `npm start` seen from the people writing to it. */
class Chats {
  /** Callback query ids per user, to find the answers to their taps. */
  readonly callbackIds = new Map<number, Set<string>>();

  constructor(
    readonly api: FakeBotApi,
    readonly bot: NpmProcess,
  ) {}

  /** Where the next calls start: pass it to `expectSent` to look only at what came after. */
  mark(): number {
    return this.api.calls.length;
  }

  /** Waits for a call, but fails at once (with the logs) if the bot process dies meanwhile. */
  async waitForCall(
    predicate: (call: RecordedCall, index: number) => boolean,
    what: string,
    timeoutMs = REPLY_TIMEOUT_MS,
  ): Promise<RecordedCall> {
    const died = this.bot.exited.then((exit) => {
      throw new Error(
        `the bot exited (${JSON.stringify(exit)}) while waiting for ${what}\n${this.bot.describe()}`,
      );
    });
    try {
      return await Promise.race([this.api.waitFor(predicate, timeoutMs), died]);
    } catch (error) {
      if (this.bot.running)
        throw new Error(`${(error as Error).message} (waiting for ${what})\n${this.bot.describe()}`);
      throw error;
    } finally {
      died.catch(() => {});
    }
  }

  /** A sendMessage to `user` after `from` whose text contains (or matches) `expected`. */
  async expectSent(
    user: FakeUser,
    from: number,
    expected: string | RegExp,
    what: string,
  ): Promise<RecordedCall> {
    const matches = (text: string) =>
      typeof expected === "string" ? text.includes(expected) : expected.test(text);
    try {
      return await this.waitForCall(
        (call, index) => index >= from && isSendTo(call, user) && matches(sentText(call)),
        what,
      );
    } catch (error) {
      const texts = this.api.calls.filter((c, i) => i >= from && isSendTo(c, user)).map(sentText);
      throw new Error(
        `${(error as Error).message}\nsent to ${user.firstName} meanwhile: ${JSON.stringify(texts)}`,
      );
    }
  }

  send(user: FakeUser, text: string): number {
    const from = this.mark();
    this.api.queueUpdate(messageUpdate(user, text));
    return from;
  }

  /** Sends a text and waits for the bot's answer to it. */
  async say(user: FakeUser, text: string, expected: string | RegExp): Promise<string> {
    const from = this.send(user, text);
    return sentText(await this.expectSent(user, from, expected, `the answer to "${text}"`));
  }

  /**
   * Taps the button `data` under the latest message to `user` that shows it (so the button must have been
   * offered), waits until the tap is answered, and returns where the calls after the tap start.
   */
  async tap(user: FakeUser, data: string): Promise<number> {
    const shown = this.api.calls.findLast((c) => isSendTo(c, user) && buttonData(c.result).includes(data));
    if (!shown?.result) {
      const offered = this.api.calls.filter((c) => isSendTo(c, user)).map((c) => buttonData(c.result));
      throw new Error(
        `no message to ${user.firstName} shows the button ${data}; buttons: ${JSON.stringify(offered)}`,
      );
    }
    const from = this.mark();
    const update = callbackQueryUpdate(user, shown.result, data);
    const id = String(update.callback_query.id);
    const ids = this.callbackIds.get(user.id) ?? new Set<string>();
    ids.add(id);
    this.callbackIds.set(user.id, ids);
    this.api.queueUpdate(update);
    // A tap left unanswered keeps the client's spinner turning.
    await this.waitForCall(
      (call, index) =>
        index >= from && call.method === "answerCallbackQuery" && call.payload.callback_query_id === id,
      `the answer to the tap on ${data}`,
    );
    return from;
  }

  /** Taps a button and waits for the message it brings. */
  async choose(user: FakeUser, data: string, expected: string | RegExp): Promise<RecordedCall> {
    const from = await this.tap(user, data);
    return this.expectSent(user, from, expected, `the message after the tap on ${data}`);
  }

  /** Every call to `user`'s chat, and the answers to their taps: all the bot ever showed them. */
  everythingTo(user: FakeUser): RecordedCall[] {
    const ids = this.callbackIds.get(user.id) ?? new Set<string>();
    return this.api.calls.filter(
      (c) =>
        Number(c.payload.chat_id) === user.id ||
        (c.method === "answerCallbackQuery" && ids.has(String(c.payload.callback_query_id))),
    );
  }
}

/** /parler, housing, own words, answer here, the first neighbourhood, send: returns the confirmation. */
async function askForHelp(chats: Chats, person: FakeUser, words: string) {
  await chats.say(person, "/parler", "sans dire qui tu es");
  await chats.choose(person, "f:cat:housing", "Écris ce que tu veux dire");
  await chats.say(person, words, "Comment veux-tu qu'on te réponde?");
  await chats.choose(person, "f:ans:chat", "Dans quel coin es-tu");
  const summary = sentText(await chats.choose(person, `f:area:${AREA?.id}`, "<b>Ta demande</b>"));
  expect(summary).toContain("Sujet : 🏠 Logement");
  expect(summary).toContain(`Message : ${escapeHtml(words)}`);
  expect(summary).toContain(`Secteur : ${AREA?.name.fr}`);
  const sentAt = await chats.tap(person, "f:send");
  const confirmation = await chats.expectSent(person, sentAt, /^✅ C'est /, "the confirmation");
  const nickname = /Ton surnom pour cette demande : <b>([^<]+)<\/b>/.exec(sentText(confirmation))?.[1];
  expect(nickname, sentText(confirmation)).toBeDefined();
  return { sentAt, confirmation: sentText(confirmation), nickname: nickname as string };
}

const escapeHtml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// --- The scenario -------------------------------------------------------------------------------------

const running = new Set<NpmProcess>();
let api: FakeBotApi | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  for (const child of running) await child.kill();
  running.clear();
  await api?.close();
  api = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function runJourney(extraEnv: Record<string, string>, database: "pglite" | "postgres") {
  expect(AREA, "the example directory has a neighbourhood").toBeDefined();
  expect(ORGANISATION_NAME, `the example directory has ${ORGANISATION}`).toBeDefined();
  const fake = await startFakeBotApi(TOKEN);
  api = fake;
  dataDir = mkdtempSync(path.join(tmpdir(), "perche-e2e-requests-"));
  const env = childEnv(dataDir, fake.apiRoot, extraEnv);

  // 1. The command line, before the bot starts (the embedded database allows one process at a time).
  const imported = await admin(env, ["directory", "import", "directory/example-montreal.yaml"]);
  expect(imported).toMatch(/^Imported \d+ sites, \d+ organisations/m);
  const invited = await admin(env, [
    "invite",
    "--role",
    "worker",
    "--org",
    ORGANISATION,
    "--username",
    BOT_USERNAME,
  ]);
  const code = new RegExp(`^https://t\\.me/${BOT_USERNAME}\\?start=inv-(\\S+)$`, "m").exec(invited)?.[1];
  expect(code, invited).toBeDefined();
  // With --username, the command line never needed Telegram.
  expect(fake.calls).toEqual([]);

  const bot = new NpmProcess(["start"], env);
  running.add(bot);
  const chats = new Chats(fake, bot);
  await chats.waitForCall((c) => c.method === "getUpdates", "getUpdates", START_TIMEOUT_MS);

  // 2. The worker opens the invitation link and chooses the alias people will see.
  await chats.say(WORKER, `/start inv-${code}`, `Bienvenue dans l'équipe de ${ORGANISATION_NAME}`);
  await chats.say(WORKER, ALIAS, `✅ C'est fait, ${ALIAS}.`);

  // 3. Nobody on call yet: someone asks anyway, and is told at once.
  const waiting = await askForHelp(chats, WAITING, WAITING_WORDS);
  expect(waiting.confirmation).toContain("Personne n'est de garde");

  // 4. The worker goes on call in two taps; the waiting request reaches them, and its person is told.
  await chats.say(WORKER, "/garde", "⚪ Tu n'es pas de garde.");
  const onCallAt = await chats.tap(WORKER, "oc:on");
  await chats.expectSent(WORKER, onCallAt, "🟢 C'est noté : tu es de garde.", "going on call");
  const waitingNotice = await chats.expectSent(WORKER, onCallAt, /^🆕/, "the notice of the waiting request");
  expect(sentText(waitingNotice)).toContain(`<b>${waiting.nickname}</b>`);
  expect(sentText(waitingNotice)).toContain(escapeHtml(WAITING_WORDS));
  await chats.expectSent(
    WAITING,
    onCallAt,
    `📬 Quelqu'un vient de prendre la garde et a reçu ta demande (${waiting.nickname}).`,
    "the news that someone came on call",
  );
  // It waited for them: no notice went out before they went on call.
  const workerNotices = fake.calls.filter((c) => isSendTo(c, WORKER) && sentText(c).startsWith("🆕"));
  expect(workerNotices).toEqual([waitingNotice]);

  // 5. Someone asks while the worker is on call.
  const asked = await askForHelp(chats, PERSON, WORDS);
  expect(asked.confirmation).toContain("Quelqu'un de garde va te répondre ici");
  const notice = await chats.expectSent(
    WORKER,
    asked.sentAt,
    new RegExp(`^🆕 <b>${asked.nickname}</b>`),
    "the notice of the new request",
  );
  const noticeText = sentText(notice);
  expect(noticeText).toContain("🏠 Logement");
  expect(noticeText).toContain("Langue : français");
  expect(noticeText).toContain(`Secteur : ${AREA?.name.fr}`);
  expect(noticeText).toContain(escapeHtml(WORDS));
  expect(notice.payload.protect_content).toBe(true);
  const claimData = buttonData(notice.result).find((data) => data.startsWith("rq:claim:"));
  const requestId = /^rq:claim:([A-Za-z0-9_-]{12})$/.exec(claimData ?? "")?.[1];
  expect(requestId, JSON.stringify(notice.payload.reply_markup)).toBeDefined();

  // 6. The worker claims it: their notice changes its buttons, and the person is told who has it.
  const claimedAt = await chats.tap(WORKER, `rq:claim:${requestId}`);
  await chats.expectSent(WORKER, claimedAt, `Tes messages ici vont à ${asked.nickname}`, "the claim");
  const edited = await chats.waitForCall(
    (c, i) =>
      i >= claimedAt && c.method === "editMessageReplyMarkup" && Number(c.payload.chat_id) === WORKER.id,
    "the notice's new buttons",
  );
  expect(edited.payload.message_id).toBe(notice.result?.message_id);
  expect(buttonData(edited.payload)).toContain(`rq:focus:${requestId}`);
  const claimed = await chats.expectSent(PERSON, claimedAt, "🙋", "the news of the claim");
  expect(sentText(claimed)).toBe(`🙋 ${ALIAS} a pris ta demande. Tu peux lui écrire ici.`);

  // 7. The worker answers; the person gets it, as plain text, under the worker's alias.
  const answeredAt = chats.send(WORKER, ANSWER);
  const answer = await chats.expectSent(PERSON, answeredAt, ANSWER, "the worker's answer");
  expect(sentText(answer)).toBe(`${ALIAS} : ${ANSWER}`);
  expect(answer.payload.parse_mode).toBeUndefined();

  // 8. The person replies; the worker gets it under the request's nickname.
  const repliedAt = chats.send(PERSON, REPLY);
  const reply = await chats.expectSent(WORKER, repliedAt, REPLY, "the person's reply");
  expect(sentText(reply)).toBe(`${asked.nickname} : ${REPLY}`);
  expect(reply.payload.protect_content).toBe(true);

  // Nothing the worker was ever shown carries who the people are; nothing people were shown, who the worker is.
  const toWorker = JSON.stringify(chats.everythingTo(WORKER));
  // (What was looked through does hold both notices and the reply: the check below is not vacuous.)
  for (const words of [escapeHtml(WAITING_WORDS), escapeHtml(WORDS), REPLY])
    expect(toWorker).toContain(JSON.stringify(words).slice(1, -1));
  for (const person of [PERSON, WAITING])
    for (const secret of [String(person.id), person.firstName, person.username as string])
      expect(toWorker, `${secret} reached the worker`).not.toContain(secret);
  for (const person of [PERSON, WAITING]) {
    const toPerson = JSON.stringify(chats.everythingTo(person));
    for (const secret of [String(WORKER.id), WORKER.firstName, WORKER.username as string])
      expect(toPerson, `${secret} reached ${person.firstName}`).not.toContain(secret);
  }
  // Every call the bot made is one the fake knows (an unknown one would have failed, maybe silently).
  const known = new Set([
    "getMe",
    "deleteWebhook",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "getUpdates",
    "sendMessage",
    "answerCallbackQuery",
    "editMessageReplyMarkup",
  ]);
  expect(fake.calls.filter((c) => !known.has(c.method)).map((c) => c.method)).toEqual([]);

  // A clean stop on SIGTERM sent to npm alone, as a container runtime does.
  process.kill(bot.child.pid as number, "SIGTERM");
  const exit = await withTimeout(bot.exited, STOP_TIMEOUT_MS, "npm start exiting after SIGTERM");
  expect(exit, bot.describe()).toEqual({ code: 0, signal: null });
  const deadline = Date.now() + 2_000;
  while (bot.members().length > 0 && Date.now() < deadline) await sleep(50);
  expect(bot.members(), "processes of npm start outlived it").toEqual([]);

  // The logs: the right database, nothing went wrong, nothing about anyone or anything they wrote.
  const logs = bot.jsonLogs();
  expect(logs.find((line) => line.msg === "database ready")?.database).toBe(database);
  expect(
    logs.filter((line) => Number(line.level) >= 50),
    bot.describe(),
  ).toEqual([]);
  expect(
    logs.filter((line) => Number(line.level) === 40 && !String(line.msg).startsWith("generated new keys")),
    bot.describe(),
  ).toEqual([]);
  const all = bot.logs();
  for (const user of [WORKER, PERSON, WAITING]) {
    expect(all).not.toMatch(new RegExp(`(?<![0-9])${user.id}(?![0-9])`));
    expect(all).not.toContain(user.firstName);
    expect(all).not.toContain(user.username);
  }
  for (const words of [WORDS, WAITING_WORDS, ANSWER, REPLY]) {
    const canary = /[a-z]+-\d{4}/.exec(words)?.[0] as string;
    expect(all).not.toContain(canary);
  }
  expect(all).not.toContain(code);
  expect(all).not.toContain(TOKEN.split(":")[1]);
}

const JOURNEY =
  "a worker invited on the command line goes on call, gets a waiting request, then claims, answers and hears back from a new one";

describe("requests through npm start against a local Bot API, on the embedded database (PGlite)", () => {
  it(JOURNEY, () => runJourney({}, "pglite"), TEST_TIMEOUT_MS);
});

describe.runIf(process.env.TEST_DATABASE_URL)(
  "requests through npm start against a local Bot API, on PostgreSQL",
  () => {
    const adminUrl = process.env.TEST_DATABASE_URL ?? "";
    const name = `perche_e2e_${randomBytes(6).toString("hex")}`;
    let created = false;

    beforeAll(async () => {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql`create database ${sql(name)}`;
        created = true;
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    afterAll(async () => {
      if (!created) return;
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql`drop database if exists ${sql(name)} with (force)`;
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it(
      JOURNEY,
      () => {
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        return runJourney(
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
  },
);
