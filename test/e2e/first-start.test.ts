import { expect } from "vitest";
import { Chats } from "./chats";
import type { FakeUser } from "./fake-bot-api";
import { BOT_USERNAME, freeLoopbackPort, onBothDatabases, type Run, TOKEN } from "./support";

/**
 * A first start as a newcomer sees it in a terminal (LOG_FORMAT=pretty, what a terminal gets by
 * default): readable lines, the example directory's warning framed, and a single-use link that makes
 * whoever opens it a coordinator, logged once. With HEALTH_PORT, GET /healthz answers in polling mode.
 * `admin link` works while the bot runs. Nothing about the coordinator reaches the logs. (That a restart
 * makes no second link is test/db/first-coordinator.test.ts's.)
 */

const COORDINATOR: FakeUser = {
  id: 7_519_284_630,
  firstName: "Euphrasie",
  username: "euphrasie_e2e",
  languageCode: "fr",
};

const LINK = new RegExp(
  `no coordinator yet: open https://t\\.me/${BOT_USERNAME}\\?start=inv-([A-Za-z0-9_-]{22}) `,
);

async function firstStart(run: Run) {
  const port = await freeLoopbackPort();
  const env = { LOG_FORMAT: "pretty", HEALTH_PORT: String(port) };
  const bot = await run.startBot(env);
  const output = bot.stdout;

  // Readable lines, not JSON; the example directory's warning on lines of its own, framed.
  expect(output.split("\n").filter((line) => line.startsWith("{"))).toEqual([]);
  expect(output).toMatch(/WARN: \n━+\nthe directory was empty: loaded the EXAMPLE directory[^\n]*\n━+\n/);
  expect(output).toMatch(/INFO: Perche is running/);
  const code = LINK.exec(output)?.[1];
  expect(code, bot.describe()).toBeDefined();

  // Health in polling mode: the database answers, and so did Telegram.
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, database: "ok", telegram: "ok" });
  expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);

  // A command that needs no database works while the bot runs.
  const link = await run.admin(["link", "relais-faubourg-ontario", "--username", BOT_USERNAME]);
  expect(link).toMatch(
    new RegExp(`^https://t\\.me/${BOT_USERNAME}\\?start=site-relais-faubourg-ontario$`, "m"),
  );

  // The link makes a coordinator, who can invite the team from the bot.
  const chats = new Chats(bot);
  await chats.say(COORDINATOR, `/start inv-${code}`, "Bienvenue dans l'équipe");
  await chats.say(COORDINATOR, "Euphé", "✅ C'est fait, Euphé.");
  await chats.say(COORDINATOR, "/inviter", /./);
  await bot.expectCleanStop();

  const all = bot.logs();
  expect(all).not.toMatch(new RegExp(`(?<![0-9])${COORDINATOR.id}(?![0-9])`));
  expect(all).not.toContain(COORDINATOR.firstName);
  expect(all).not.toContain(COORDINATOR.username);
  expect(all).not.toContain("Euphé");
  expect(all).not.toContain(TOKEN.split(":")[1]);
}

onBothDatabases(
  "a first start in a terminal",
  "logs readable lines, the example warning framed and a coordinator link once; serves /healthz; admin link works meanwhile",
  "perche-e2e-first-",
  firstStart,
  { emptyDataDir: true },
);
