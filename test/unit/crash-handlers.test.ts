import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/logger";
import { installCrashHandlers } from "../../src/run/crash";

/** What the process does with an error nobody caught: logged by name and code only, then run on or stop. */

const PERSON = { id: 7_391_028_465, first_name: "Clotaire", username: "clotaire_crash" };

function setUp() {
  const lines: string[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const process = new EventEmitter();
  const stopForRestart = vi.fn();
  installCrashHandlers(process as unknown as NodeJS.Process, logger, stopForRestart);
  return { lines, process, stopForRestart };
}

/** An error as grammY wraps one: the update (with the person) in ctx, the database's error inside. */
function botError() {
  const inner = Object.assign(new Error(`terminating connection; key (name)=(${PERSON.first_name})`), {
    name: "PostgresError",
    code: "57P01",
  });
  return Object.assign(new Error(`Error in middleware: ${inner.message}`), {
    name: "BotError",
    error: inner,
    ctx: { update: { update_id: 1, message: { from: PERSON, chat: PERSON, text: "mon secret" } } },
  });
}

describe("the crash handlers", () => {
  it.each([
    ["an unhandled rejection", "unhandledRejection", false],
    ["an uncaught exception", "uncaughtException", true],
  ] as const)("log %s by the inner error's name and code only", (_, event, stops) => {
    const { lines, process, stopForRestart } = setUp();
    process.emit(event, botError());
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(line.error).toEqual({ name: "PostgresError", code: "57P01" });
    const all = lines.join("\n");
    for (const secret of [String(PERSON.id), PERSON.first_name, PERSON.username, "mon secret"])
      expect(all).not.toContain(secret);
    expect(stopForRestart).toHaveBeenCalledTimes(stops ? 1 : 0);
  });

  it("keeps running after a rejection of something that is not an error", () => {
    const { lines, process, stopForRestart } = setUp();
    process.emit("unhandledRejection", PERSON);
    expect(JSON.parse(lines[0] as string).error).toEqual({ name: "object" });
    expect(lines.join("\n")).not.toContain(PERSON.first_name);
    expect(stopForRestart).not.toHaveBeenCalled();
  });
});
