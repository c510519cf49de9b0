import { expect } from "vitest";
import { Chats, isSendTo, sentText } from "./chats";
import type { FakeUser } from "./fake-bot-api";
import { exampleDirectory, onBothDatabases, type Run } from "./support";

/**
 * Part 6, "which organisation", end to end: with `npm start` and the example directory, whose
 * organisations say which places they serve, two workers of two organisations are on call. A request
 * from Centre-Sud reaches the worker of the organisation serving Centre-Sud, one from the Plateau the
 * other's; neither gets the other's. (Before `serves`, both went to the organisation whose id sorts
 * first.)
 */

const directory = exampleDirectory() as {
  organisations: { id: string; name: { fr: string }; serves?: string[] }[];
};
const servingOf = (place: string) => directory.organisations.find((o) => o.serves?.includes(place));
const CENTRE_SUD = servingOf("centre-sud");
const PLATEAU = servingOf("plateau-mont-royal");

const RELAIS_WORKER: FakeUser = { id: 5_311_804_927, firstName: "Octavie", languageCode: "fr" };
const PLATEAU_WORKER: FakeUser = { id: 5_422_915_038, firstName: "Barnabé", languageCode: "en" };
const FROM_CENTRE_SUD: FakeUser = { id: 7_533_026_149, firstName: "Léonce", languageCode: "fr" };
const FROM_PLATEAU: FakeUser = { id: 7_644_137_250, firstName: "Gwendal", languageCode: "en" };

async function ask(chats: Chats, person: FakeUser, area: string) {
  const english = person.languageCode === "en";
  await chats.say(
    person,
    english ? "/talk" : "/parler",
    english ? "without saying who you are" : "sans dire qui tu es",
  );
  await chats.choose(person, "f:cat:talk", english ? "Write what you" : "Écris ce que tu veux dire");
  await chats.choose(
    person,
    "f:nodetails",
    english ? "How would you like" : "Comment veux-tu qu'on te réponde?",
  );
  await chats.choose(person, "f:ans:chat", english ? "Roughly where are you" : "Dans quel coin es-tu");
  await chats.choose(person, `f:area:${area}`, english ? "<b>Your request</b>" : "<b>Ta demande</b>");
  const sentAt = await chats.tap(person, "f:send");
  const confirmation = sentText(
    await chats.expectSent(person, sentAt, english ? /^✅ Sent\./ : /^✅ C'est envoyé\./, "the confirmation"),
  );
  const nickname = /: <b>([^<]+)<\/b>/.exec(confirmation)?.[1] as string;
  expect(nickname, confirmation).toBeDefined();
  return { sentAt, nickname };
}

async function joinOnCall(chats: Chats, worker: FakeUser, code: string, alias: string) {
  const english = worker.languageCode === "en";
  await chats.say(worker, `/start inv-${code}`, english ? "Welcome to the" : "Bienvenue dans l'équipe");
  await chats.say(worker, alias, english ? `✅ Done, ${alias}.` : `✅ C'est fait, ${alias}.`);
  await chats.say(
    worker,
    english ? "/oncall" : "/garde",
    english ? "You are not on call." : "Tu n'es pas de garde.",
  );
  const at = await chats.tap(worker, "oc:on");
  await chats.expectSent(
    worker,
    at,
    english ? "🟢 Noted: you are on call." : "🟢 C'est noté : tu es de garde.",
    "going on call",
  );
}

async function runRouting(run: Run) {
  expect(CENTRE_SUD, "an organisation of the example serves centre-sud").toBeDefined();
  expect(PLATEAU, "an organisation of the example serves plateau-mont-royal").toBeDefined();
  expect(CENTRE_SUD?.id).not.toBe(PLATEAU?.id);
  // The Plateau's organisation sorts first: the old rule (by id) would have sent both requests there.
  expect((PLATEAU?.id ?? "") < (CENTRE_SUD?.id ?? "")).toBe(true);

  await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
  const relaisCode = await run.invite("worker", CENTRE_SUD?.id ?? "");
  const plateauCode = await run.invite("worker", PLATEAU?.id ?? "");
  const bot = await run.startBot();
  const chats = new Chats(bot);
  await joinOnCall(chats, RELAIS_WORKER, relaisCode, "Octave");
  await joinOnCall(chats, PLATEAU_WORKER, plateauCode, "Barney");

  const centreSud = await ask(chats, FROM_CENTRE_SUD, "centre-sud");
  await chats.expectSent(
    RELAIS_WORKER,
    centreSud.sentAt,
    new RegExp(`^🆕 <b>${centreSud.nickname}</b>`),
    "the Centre-Sud notice",
  );
  const plateau = await ask(chats, FROM_PLATEAU, "plateau-mont-royal");
  await chats.expectSent(
    PLATEAU_WORKER,
    plateau.sentAt,
    new RegExp(`^🆕 <b>${plateau.nickname}</b>`),
    "the Plateau notice",
  );

  // Each worker got their own area's request, and only that one.
  const notices = (worker: FakeUser) =>
    bot.api.calls.filter((c) => isSendTo(c, worker) && sentText(c).startsWith("🆕")).map(sentText);
  expect(notices(RELAIS_WORKER)).toHaveLength(1);
  expect(notices(PLATEAU_WORKER)).toHaveLength(1);
  expect(notices(PLATEAU_WORKER)[0]).toContain(plateau.nickname);

  await bot.expectCleanStop();
  bot.expectLogsClean([RELAIS_WORKER, PLATEAU_WORKER, FROM_CENTRE_SUD, FROM_PLATEAU]);
}

onBothDatabases(
  "which organisation gets a request, through npm start",
  "a request reaches the worker of the organisation serving its area, as the directory file's serves says",
  "perche-e2e-organisations-",
  runRouting,
  // Two invitations on the command line, one more than the other scenarios: room for a loaded machine.
  { timeoutMs: 180_000 },
);
