import { expect } from "vitest";
import { CHART_PNG_WIDTH } from "../../src/stats/chart";
import type { UploadedFile } from "../support/multipart";
import { decodePng } from "../support/png";
import { type FakeUser, messageUpdate, type RecordedCall } from "./fake-bot-api";
import { type Bot, onBothDatabases, type Run } from "./support";

/**
 * Part 3's "/stats answers with figures and a chart", end to end: with `npm start` against a local Bot
 * API, people look things up; a worker invited on the command line sends /stats and gets the figures,
 * then the chart uploaded as a PNG; someone who is not on a team gets no figures.
 */

const ORGANISATION = "relais-faubourg";

const WORKER: FakeUser = {
  id: 5_310_482_967,
  firstName: "Gwendoline",
  username: "gwendoline_e2e",
  languageCode: "en",
};
const PERSON: FakeUser = {
  id: 7_529_164_830,
  firstName: "Anatole",
  username: "anatole_e2e",
  languageCode: "fr",
};

const sentTo = (call: RecordedCall, user: FakeUser) =>
  call.method.startsWith("send") && Number(call.payload.chat_id) === user.id;

async function answerTo(
  bot: Bot,
  user: FakeUser,
  text: string,
  method = "sendMessage",
): Promise<RecordedCall> {
  const from = bot.api.calls.length;
  bot.api.queueUpdate(messageUpdate(user, text));
  return bot.waitForCall(
    (c, i) => i >= from && c.method === method && sentTo(c, user),
    `the answer to ${text}`,
  );
}

async function runStats(run: Run) {
  await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
  const code = await run.invite("worker", ORGANISATION);

  const bot = await run.startBot();
  // Someone looks for naloxone twice and for what is open now.
  expect(String((await answerTo(bot, PERSON, "naloxone")).payload.text)).toContain("Naloxone");
  await answerTo(bot, PERSON, "narcan");
  await answerTo(bot, PERSON, "/ouvert");

  // Not on a team: /stats means nothing to them.
  const stranger = await answerTo(bot, PERSON, "/stats");
  expect(String(stranger.payload.text)).not.toContain("📊");

  await answerTo(bot, WORKER, `/start inv-${code}`);
  await answerTo(bot, WORKER, "Gwen");
  const from = bot.api.calls.length;
  const figures = await answerTo(bot, WORKER, "/stats");
  expect(String(figures.payload.text)).toContain("🔎 <b>Lookups: 3</b>");
  expect(String(figures.payload.text)).toContain("Most looked-for supplies: Naloxone 2");
  expect(String(figures.payload.text)).toContain("📨 <b>Requests: 0</b>");
  const photo = await bot.waitForCall(
    (c, i) => i >= from && c.method === "sendPhoto" && sentTo(c, WORKER),
    "the chart",
  );
  expect(String(photo.payload.caption)).toContain("The month around cheque day (day 0)");
  const file = photo.payload.photo as UploadedFile;
  expect(file.filename).toBe("stats.png");
  const image = decodePng(file.bytes);
  expect(image.width).toBe(CHART_PNG_WIDTH);
  expect(String(photo.payload.caption)).toContain("this month in orange");
  expect(bot.api.calls.some((c) => c.method === "sendPhoto" && sentTo(c, PERSON))).toBe(false);

  bot.expectNoCallsBut(["sendMessage", "sendPhoto", "answerCallbackQuery"]);
  await bot.expectCleanStop();
  bot.expectLogsClean([WORKER, PERSON]);
}

onBothDatabases(
  "/stats through npm start against a local Bot API",
  "a worker gets the figures and the chart; someone not on a team gets neither",
  "perche-e2e-stats-",
  runStats,
);
