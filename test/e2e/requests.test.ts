import { expect } from "vitest";
import { Chats, isSendTo, sentText } from "./chats";
import { buttonData, type FakeUser, messageUpdate } from "./fake-bot-api";
import { escapeHtml, exampleDirectory, onBothDatabases, type Run } from "./support";

/**
 * Part 2's "Done when", end to end: with `npm start` against a local Bot API, a worker invited through
 * the command line goes on call; a French-speaking person sends a request; the worker's notice carries
 * none of the person's identifiers; the worker claims and answers; the person gets the answer and
 * replies; the worker gets the reply. And with nobody on call, the person is told at once and the request
 * reaches the first worker who goes on call. Once on the embedded database, once on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */

const ORGANISATION = "relais-faubourg";

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
const STILL_THERE = "Toujours là? (kiwi-5531)";
const FOR_PHILIBERT = "Oui Philibert, je suis là (tamarin-7720)";
const FOR_YSOLDE = "Ysolde, on garde ta place (ocelot-3094)";

// --- What the example directory says ------------------------------------------------------------------

const directory = exampleDirectory() as {
  places: { id: string; kind: string; name: { fr: string } }[];
  organisations: { id: string; name: { fr: string } }[];
};
const AREA = directory.places.find((p) => p.kind === "neighbourhood");
const ORGANISATION_NAME = directory.organisations.find((o) => o.id === ORGANISATION)?.name.fr;

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

// --- The scenario -------------------------------------------------------------------------------------

async function runJourney(run: Run) {
  expect(AREA, "the example directory has a neighbourhood").toBeDefined();
  expect(ORGANISATION_NAME, `the example directory has ${ORGANISATION}`).toBeDefined();
  const fake = run.api;

  // 1. The command line, before the bot starts (the embedded database allows one process at a time).
  const imported = await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
  expect(imported).toMatch(/^Imported \d+ sites, \d+ organisations/m);
  const code = await run.invite("worker", ORGANISATION);
  // With --username, the command line never needed Telegram.
  expect(fake.calls).toEqual([]);

  const bot = await run.startBot();
  const chats = new Chats(bot);

  // 2. The worker opens the invitation link and chooses the alias people will see.
  // "Le Relais du Faubourg" after "de" reads "du Relais du Faubourg".
  const team = ORGANISATION_NAME?.replace(/^Le /, "du ") ?? "";
  expect(team).toMatch(/^du /);
  await chats.say(WORKER, `/start inv-${code}`, `Bienvenue dans l'équipe ${team}`);
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
  await chats.expectSent(WORKER, claimedAt, `Tu as pris cette demande : ${asked.nickname}`, "the claim");
  const edited = await bot.waitForCall(
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

  // 9. Two requests at once: the worker takes the one that waited too, and its person writes.
  const waitingClaim = buttonData(waitingNotice.result).find((data) =>
    data.startsWith("rq:claim:"),
  ) as string;
  const secondClaimAt = await chats.tap(WORKER, waitingClaim);
  await chats.expectSent(
    WORKER,
    secondClaimAt,
    `Tu as pris cette demande : ${waiting.nickname}`,
    "the claim",
  );
  const stillAt = chats.send(WAITING, STILL_THERE);
  await chats.expectSent(
    WORKER,
    stillAt,
    `${waiting.nickname} : ${STILL_THERE}`,
    "the waiting person's words",
  );

  // 10. The worker's plain words: never guessed, kept, and the worker is asked which request.
  const plainAt = chats.send(WORKER, FOR_PHILIBERT);
  const which = await chats.expectSent(WORKER, plainAt, "Tu as plusieurs demandes.", "the question");
  const choices = buttonData(which.result);
  expect(choices.map((data) => data.split(":").pop())).toEqual([
    waitingClaim.slice("rq:claim:".length),
    requestId,
  ]);

  // 11. A Telegram reply on Ysolde's relayed message goes to Ysolde, whatever else is pending.
  const replyAt = chats.mark();
  fake.queueUpdate(
    messageUpdate(WORKER, {
      text: FOR_YSOLDE,
      reply_to_message: {
        message_id: reply.result?.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: WORKER.id, type: "private", first_name: WORKER.firstName },
        text: sentText(reply),
      },
    }),
  );
  const toYsolde = await chats.expectSent(PERSON, replyAt, FOR_YSOLDE, "the reply to Ysolde's message");
  expect(sentText(toYsolde)).toBe(`${ALIAS} : ${FOR_YSOLDE}`);

  // 12. The tap sends the kept words to Philibert, and to nobody else.
  const tappedAt = await chats.tap(WORKER, choices[0] as string);
  const toPhilibert = await chats.expectSent(WAITING, tappedAt, FOR_PHILIBERT, "the kept words");
  expect(sentText(toPhilibert)).toBe(`${ALIAS} : ${FOR_PHILIBERT}`);
  await chats.expectSent(WORKER, tappedAt, `✅ Envoyé à ${waiting.nickname}.`, "where the words went");
  expect(chats.everythingTo(PERSON).map(sentText).join("\n")).not.toContain(FOR_PHILIBERT);
  expect(chats.everythingTo(WAITING).map(sentText).join("\n")).not.toContain(FOR_YSOLDE);

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
  bot.expectNoCallsBut(["sendMessage", "answerCallbackQuery", "editMessageReplyMarkup"]);

  // A clean stop on SIGTERM sent to npm alone, as a container runtime does.
  await bot.expectCleanStop();

  // The logs: the right database, nothing went wrong, nothing about anyone or anything they wrote.
  bot.expectLogsClean([WORKER, PERSON, WAITING]);
  const logs = bot.jsonLogs();
  expect(
    // Expected warnings: new keys, and the link for a first coordinator (this team has none).
    logs.filter(
      (line) =>
        Number(line.level) === 40 &&
        !String(line.msg).startsWith("generated new keys") &&
        !String(line.msg).startsWith("no coordinator yet"),
    ),
    bot.describe(),
  ).toEqual([]);
  const all = bot.logs();
  for (const words of [WORDS, WAITING_WORDS, ANSWER, REPLY, STILL_THERE, FOR_PHILIBERT, FOR_YSOLDE]) {
    const canary = /[a-z]+-\d{4}/.exec(words)?.[0] as string;
    expect(all).not.toContain(canary);
  }
  expect(all).not.toContain(code);
}

onBothDatabases(
  "requests through npm start against a local Bot API",
  "a worker invited on the command line goes on call, gets a waiting request, then claims, answers and hears back from a new one; holding both, their plain words are kept and asked about, and a reply goes where it replies",
  "perche-e2e-requests-",
  runJourney,
);
