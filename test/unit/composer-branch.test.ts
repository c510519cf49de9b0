import { Bot, Composer, type Context } from "grammy";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import "../../src/bot/composer-branch";
import { STUB_BOT_INFO } from "../../bench/telegram-stub";

/**
 * src/bot/composer-branch.ts replaces grammY's `branch` with one that builds its paths once. Filters,
 * commands, `hears` and `callbackQuery` go through it; they must route exactly as grammY's did.
 */
const text = (id: number, value: string): Update => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: 7, type: "private", first_name: "P" },
    from: { id: 7, is_bot: false, first_name: "P" },
    text: value,
    ...(value.startsWith("/")
      ? { entities: [{ type: "bot_command", offset: 0, length: value.split(" ")[0]?.length ?? 0 }] }
      : {}),
  },
});

function bot() {
  return new Bot<Context>("1:test", { botInfo: STUB_BOT_INFO });
}

describe("grammY's branch, built once", () => {
  it("is the one grammY uses", () => {
    expect(Object.getOwnPropertySymbols(Composer.prototype).map(String)).toContain(
      "Symbol(perche.composer-branch)",
    );
  });

  it("routes commands, words and everything else as before, and stops at the first handler", async () => {
    const seen: string[] = [];
    const b = bot();
    b.command("aide", () => void seen.push("command"));
    b.hears(/naloxone/i, () => void seen.push("hears"));
    b.on("message:text", (_ctx, next) => {
      seen.push("on");
      return next();
    });
    b.use(() => void seen.push("last"));
    await b.handleUpdate(text(1, "/aide"));
    await b.handleUpdate(text(2, "Naloxone svp"));
    await b.handleUpdate(text(3, "bonjour"));
    expect(seen).toEqual(["command", "hears", "on", "last"]);
  });

  it("runs middleware added to a filter's composer after it was registered", async () => {
    const seen: string[] = [];
    const b = bot();
    const onText = b.on("message:text");
    await b.handleUpdate(text(1, "avant"));
    onText.use((ctx) => void seen.push(ctx.message.text));
    await b.handleUpdate(text(2, "après"));
    expect(seen).toEqual(["après"]);
  });

  it("evaluates the predicate on every update, and takes the false path when it fails", async () => {
    const seen: string[] = [];
    const b = bot();
    let open = false;
    b.branch(
      () => open,
      [(_ctx, next) => next(), () => void seen.push("open")],
      () => void seen.push("closed"),
    );
    await b.handleUpdate(text(1, "x"));
    open = true;
    await b.handleUpdate(text(2, "x"));
    expect(seen).toEqual(["closed", "open"]);
  });

  it("waits for a predicate that answers later, and treats a missing answer as no", async () => {
    const seen: string[] = [];
    const b = bot();
    b.filter(
      async (ctx) => ctx.message?.text === "tard",
      () => void seen.push("later"),
    );
    b.filter(
      (ctx) => (ctx.message?.text === "rien" ? (undefined as unknown as boolean) : false),
      () => void seen.push("never"),
    );
    b.use(() => void seen.push("fell through"));
    await b.handleUpdate(text(1, "tard"));
    await b.handleUpdate(text(2, "rien"));
    expect(seen).toEqual(["later", "fell through"]);
  });
});
