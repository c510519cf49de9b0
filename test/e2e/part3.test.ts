import { expect } from "vitest";
import { Chats, isSendTo, sentText } from "./chats";
import { buttonData, type FakeUser, inlineQueryUpdate } from "./fake-bot-api";
import { escapeHtml, onBothDatabases, type Run } from "./support";

/**
 * Part 3's "Done when", end to end, with `npm start` against a local Bot API: a peer helper opens a
 * request for someone and gets the worker's answer; an inline query returns shareable cards; a worker
 * marks naloxone out at a site and a person looking for naloxone sees it with its time; an alert
 * reaches every subscriber exactly once. (/stats has its own journey in stats.test.ts.) Once on the
 * embedded database, once on PostgreSQL when TEST_DATABASE_URL is set.
 */

const ORGANISATION = "relais-faubourg";
const SITE = "relais-faubourg-ontario";

const WORKER: FakeUser = {
  id: 5_418_730_296,
  firstName: "Bertrande",
  username: "bertrande_e2e",
  languageCode: "fr",
};
const PEER: FakeUser = {
  id: 5_902_617_384,
  firstName: "Eudoxie",
  username: "eudoxie_e2e",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_630_152_948,
  firstName: "Honorin",
  username: "honorin_e2e",
  languageCode: "fr",
};
const SUBSCRIBERS: FakeUser[] = [
  { id: 6_104_583_927, firstName: "Philomène", username: "philomene_e2e", languageCode: "fr" },
  { id: 6_215_694_038, firstName: "Barnabé", username: "barnabe_e2e", languageCode: "en" },
  { id: 6_326_705_149, firstName: "Clothilde", username: "clothilde_e2e", languageCode: "fr" },
];

const RELAYED = "Il n'a rien mangé depuis hier, tamarin-6620";
const ANSWER = "Soupe chaude au comptoir Ontario jusqu'à 17 h (wombat-3318)";
const ALERT_FR = "Fentanyl très fort ce soir dans Centre-Sud, pangolin-4471";
const ALERT_EN = "Very strong fentanyl tonight in Centre-Sud, pangolin-4471";

async function join(chats: Chats, user: FakeUser, code: string, alias: string) {
  await chats.say(user, `/start inv-${code}`, "Bienvenue dans l'équipe");
  await chats.say(user, alias, `✅ C'est fait, ${alias}.`);
}

async function runPart3(run: Run) {
  await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
  const workerCode = await run.invite("worker", ORGANISATION);
  const peerCode = await run.invite("peer", ORGANISATION);
  const bot = await run.startBot();
  const chats = new Chats(bot);
  const fake = run.api;

  await join(chats, WORKER, workerCode, "Marc");
  await join(chats, PEER, peerCode, "Sam");
  await chats.say(WORKER, "/garde", "⚪ Tu n'es pas de garde.");
  await chats.choose(WORKER, "oc:on", "🟢 C'est noté : tu es de garde.");

  // 1. An inline query, typed in some other chat, returns cards to share, never "open now".
  const inlineAt = chats.mark();
  fake.queueUpdate(inlineQueryUpdate(PERSON, "naloxone"));
  const answered = await bot.waitForCall(
    (c, i) => i >= inlineAt && c.method === "answerInlineQuery",
    "the inline answer",
  );
  const results = answered.payload.results as {
    id: string;
    input_message_content: { message_text: string };
  }[];
  expect(results.length).toBeGreaterThan(1);
  expect(results.map((r) => r.id)).toContain(SITE);
  const card = results.find((r) => r.id === SITE)?.input_message_content.message_text ?? "";
  expect(card).toContain("Le Relais, comptoir Ontario (exemple)");
  expect(card).toContain("Heures, 7 prochains jours");
  expect(card).not.toMatch(/Ouvert jusqu|Fermé pour l'instant/);

  // 2. The worker marks naloxone out at the site in two taps; a person looking for naloxone sees it, with its time.
  await chats.say(WORKER, "/lieux", "🛠 Quel lieu veux-tu mettre à jour?");
  await chats.choose(WORKER, `wtp:${SITE}`, "Touche ce qui a changé");
  const marked = sentText(
    await chats.choose(WORKER, `wto:${SITE}:naloxone`, "✅ Noté : Naloxone en rupture"),
  );
  const since = /depuis (\d{1,2} h(?: \d{2})?)/.exec(marked)?.[1];
  expect(since, marked).toBeDefined();
  // Open sites come first: at night the site may be a page or two further, behind "more".
  let from = chats.send(PERSON, "naloxone");
  let page = "";
  for (let pages = 0; pages < 6; pages++) {
    const shown = await chats.expectSent(PERSON, from, "Naloxone", "a page of naloxone sites");
    page = sentText(shown);
    if (page.includes("Le Relais, comptoir Ontario")) break;
    const more = buttonData(shown.result).find((d) => d.startsWith("mat:naloxone:"));
    expect(more, page).toBeDefined();
    from = await chats.tap(PERSON, more as string);
  }
  expect(page).toContain(
    `<b>Le Relais, comptoir Ontario (exemple)</b>\nCentre-Sud · 1200, rue Ontario Est, Montréal (exemple)\n`,
  );
  expect(page).toMatch(
    new RegExp(
      `comptoir Ontario \\(exemple\\)</b>\\n[^\\n]+\\n[^\\n]+\\n⚠️ Naloxone : rupture depuis ${since}`,
    ),
  );

  // 3. Three people subscribe; the worker writes an alert, previews it and sends it; each gets it once.
  await chats.say(SUBSCRIBERS[0] as FakeUser, "/alertes", "🔔");
  await chats.tap(SUBSCRIBERS[0] as FakeUser, "al:all");
  await chats.say(SUBSCRIBERS[1] as FakeUser, "/alerts", "🔔");
  await chats.tap(SUBSCRIBERS[1] as FakeUser, "al:all");
  await chats.say(SUBSCRIBERS[2] as FakeUser, "/alertes", "🔔");
  await chats.tap(SUBSCRIBERS[2] as FakeUser, "al:p:centre-sud");
  await chats.say(WORKER, "/diffuser", "📣 <b>Nouvelle alerte</b>");
  await chats.choose(WORKER, "bc:all", "en <b>français</b>");
  await chats.say(WORKER, ALERT_FR, "en <b>anglais</b>");
  await chats.say(WORKER, ALERT_EN, "Elle ira à 3 personnes abonnées. On envoie?");
  const sentAt = await chats.tap(WORKER, "bc:send");
  await chats.expectSent(
    WORKER,
    sentAt,
    "📣 Alerte envoyée : reçue par 3 sur 3 (0 plus joignables).",
    "the report",
  );
  for (const subscriber of SUBSCRIBERS) {
    const got = fake.calls.filter((c) => isSendTo(c, subscriber) && sentText(c).includes("pangolin-4471"));
    expect(got, subscriber.firstName).toHaveLength(1);
    expect(sentText(got[0] as never)).toContain(subscriber.languageCode === "en" ? ALERT_EN : ALERT_FR);
  }

  // 4. The peer opens a request for someone with them; the worker claims and answers; the peer gets it.
  await chats.say(PEER, "/relais", "🤝 Une demande pour quelqu'un qui est avec toi.");
  await chats.choose(PEER, "f:cat:food", "Écris ce que");
  await chats.say(PEER, RELAYED, "Comment veux-tu qu'on te réponde?");
  await chats.choose(PEER, "f:ans:chat", "Dans quel coin");
  await chats.choose(PEER, "f:area:centre-sud", "<b>");
  const askedAt = await chats.tap(PEER, "f:send");
  const notice = await chats.expectSent(
    WORKER,
    askedAt,
    escapeHtml(RELAYED),
    "the notice of the relayed request",
  );
  expect(sentText(notice)).toContain("🤝 Via Sam (pair aidant·e), qui transmet tes réponses.");
  const claim = buttonData(notice.result).find((d) => d.startsWith("rq:claim:")) as string;
  expect(claim).toBeDefined();
  await chats.choose(WORKER, claim, "Tu as pris cette demande :");
  const answeredAt = chats.send(WORKER, ANSWER);
  const answer = await chats.expectSent(PEER, answeredAt, ANSWER, "the worker's answer to the peer");
  expect(sentText(answer)).toMatch(new RegExp(`^🤝 [^\\n]+\\nMarc : ${ANSWER.replace(/[()]/g, "\\$&")}$`));

  // Nobody was shown who anyone is; nothing went wrong; nothing people wrote reached the logs.
  const everyone = [WORKER, PEER, PERSON, ...SUBSCRIBERS];
  for (const viewer of everyone) {
    const shown = JSON.stringify(chats.everythingTo(viewer));
    for (const other of everyone.filter((u) => u !== viewer))
      for (const secret of [String(other.id), other.firstName, other.username as string])
        expect(shown, `${secret} reached ${viewer.firstName}`).not.toContain(secret);
  }
  await bot.expectCleanStop();
  bot.expectLogsClean(everyone);
  const logs = bot.logs();
  for (const canary of ["tamarin-6620", "wombat-3318", "pangolin-4471"]) expect(logs).not.toContain(canary);
}

onBothDatabases(
  "part 3 through npm start against a local Bot API",
  "inline cards, a stock-out seen with its time, an alert to every subscriber once, and a peer's request answered",
  "perche-e2e-part3-",
  runPart3,
);
