import { expect } from "vitest";
import { type Chats, sentText } from "../chats";
import { buttonData, callbackQueryUpdate, type FakeUser, type Payload } from "../fake-bot-api";
import type { Bot } from "../support";
import { exampleDirectory } from "../support";
import type { OutsideRun } from "./harness";
import type { Ledger } from "./ledger";

/**
 * The steps the fault scenarios are made of, each one expected in the ledger: a worker joining and going
 * on call, a person's request up to its summary, "send", a claim, a relayed message either way.
 */

export const ORGANISATION = "relais-faubourg";

const directory = exampleDirectory() as { places: { id: string; kind: string }[] };
const AREA = directory.places.find((p) => p.kind === "neighbourhood")?.id;

/** Imports the example directory and invites a worker (before the first start: PGlite allows one process). */
export async function prepareTeam(run: OutsideRun): Promise<string> {
  await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
  return run.invite("worker", ORGANISATION);
}

/** The worker opens the invitation, takes an alias and goes on call. */
export async function joinOnCall(chats: Chats, worker: FakeUser, code: string, alias: string): Promise<void> {
  await chats.say(worker, `/start inv-${code}`, "Bienvenue dans l'équipe");
  await chats.say(worker, alias, `✅ C'est fait, ${alias}.`);
  await chats.say(worker, "/garde", "Tu n'es pas de garde.");
  const at = await chats.tap(worker, "oc:on");
  await chats.expectSent(worker, at, "🟢 C'est noté : tu es de garde.", "going on call");
}

/** /parler, housing, `words`, answer here, an area: the summary with its "send" button, each step once. */
export async function askUpToSummary(
  chats: Chats,
  ledger: Ledger,
  person: FakeUser,
  words: string,
): Promise<void> {
  const who = person.firstName;
  ledger.expectMessage(`the first step for ${who}`, person.id, "sans dire qui tu es");
  await chats.say(person, "/parler", "sans dire qui tu es");
  ledger.expectMessage(`the words step for ${who}`, person.id, "Écris ce que tu veux dire");
  await chats.choose(person, "f:cat:housing", "Écris ce que tu veux dire");
  ledger.expectMessage(`the answer step for ${who}`, person.id, "Comment veux-tu qu'on te réponde?");
  await chats.say(person, words, "Comment veux-tu qu'on te réponde?");
  ledger.expectMessage(`the area step for ${who}`, person.id, "Dans quel coin es-tu");
  await chats.choose(person, "f:ans:chat", "Dans quel coin es-tu");
  ledger.expectMessage(`the summary for ${who}`, person.id, "<b>Ta demande</b>");
  await chats.choose(person, `f:area:${AREA}`, "<b>Ta demande</b>");
}

/** The confirmation "send" brings, expected once in the ledger, and the notice the worker gets. */
export function expectSent(ledger: Ledger, person: FakeUser, worker: FakeUser, words: string, token: string) {
  ledger.expectMessage(`the confirmation for ${person.firstName}`, person.id, /^✅ C'est /);
  // The person's own summary shows their words too.
  ledger.expectToken(`the notice of ${person.firstName}'s request`, token, worker.id, [person.id]);
  ledger.forbid(`"try again" to ${person.firstName}`, person.id, /Réessaie|Try again/);
  expect(words).toContain(token);
}

/** Waits for the confirmation of a "send" (tapped at `from`) and returns the request's nickname. */
export async function confirmation(chats: Chats, person: FakeUser, from: number, timeoutMs?: number) {
  const confirmed = await chats.expectSent(person, from, /^✅ C'est /, "the confirmation", timeoutMs);
  const nickname = /Ton surnom pour cette demande : <b>([^<]+)<\/b>/.exec(sentText(confirmed))?.[1];
  expect(nickname, sentText(confirmed)).toBeDefined();
  return nickname as string;
}

/** The worker claims the request whose notice carries `token`. */
export async function claim(chats: Chats, worker: FakeUser, token: string): Promise<void> {
  const notice = await chats.bot.waitForCall(
    (c) =>
      c.method === "sendMessage" && Number(c.payload.chat_id) === worker.id && sentText(c).includes(token),
    "the notice",
  );
  const data = buttonData(notice.result).find((d) => d.startsWith("rq:claim:"));
  expect(data).toBeDefined();
  const at = await chats.tap(worker, data as string);
  await chats.expectSent(worker, at, "✅ Tu as pris cette demande", "the claim");
}

/**
 * A worker on call and a person whose request that worker claimed: the start of every scenario about
 * relayed messages. Returns the people's view, with the ledger holding every step so far.
 */
export async function claimedRequest(
  run: OutsideRun,
  bot: Bot,
  ledger: Ledger,
  people: { worker: FakeUser; person: FakeUser; code: string; token: string },
): Promise<Chats> {
  const chats = run.chats(bot);
  const { worker, person, code, token } = people;
  await joinOnCall(chats, worker, code, "Marc");
  const words = `J'ai besoin d'un lit ce soir, ${token}`;
  await askUpToSummary(chats, ledger, person, words);
  expectSent(ledger, person, worker, words, token);
  const at = await chats.tap(person, "f:send");
  await confirmation(chats, person, at);
  await claim(chats, worker, token);
  return chats;
}

/** One relayed message each way, each carrying a token of its own, expected once where it goes. */
export function relayBothWays(
  chats: Chats,
  ledger: Ledger,
  worker: FakeUser,
  person: FakeUser,
  label: string,
): void {
  const toWorker = `${label}-vers-intervenant`;
  const toPerson = `${label}-vers-personne`;
  ledger.expectToken(`"${toWorker}" to the worker`, toWorker, worker.id);
  ledger.expectToken(`"${toPerson}" to the person`, toPerson, person.id);
  chats.send(person, `Message ${toWorker}`);
  chats.send(worker, `Réponse ${toPerson}`);
}

/** A lookup from `someone`, expected once; resolves when answered, within `withinMs` (default 15 s). */
export async function lookUp(
  chats: Chats,
  ledger: Ledger,
  someone: FakeUser,
  withinMs?: number,
): Promise<void> {
  ledger.expectMessage(`the naloxone sites for ${someone.firstName}`, someone.id, "<b>Naloxone</b>");
  const from = chats.send(someone, "naloxone");
  await chats.expectSent(someone, from, "<b>Naloxone</b>", `the answer to ${someone.firstName}`, withinMs);
}

/** Taps "send" under `person`'s summary without waiting for anything (a fault may be waiting for it). */
export function pressSend(run: OutsideRun, person: FakeUser): void {
  const summary = run.fake.calls.findLast(
    (c) => Number(c.payload.chat_id) === person.id && buttonData(c.result).includes("f:send"),
  );
  if (!summary?.result) throw new Error(`no summary with a send button for ${person.firstName}`);
  run.deliver(callbackQueryUpdate(person, summary.result, "f:send"));
}

/** Whether a call is the confirmation of a "send" to `person`. */
export const isConfirmationTo = (person: FakeUser) => (payload: Payload) =>
  Number(payload.chat_id) === person.id && /^✅ C'est /.test(String(payload.text ?? ""));
