import { describe, expect, it } from "vitest";
import { createLogger, prettyLine } from "../../src/logger";

/** Both outputs, JSON and the terminal's pretty lines, hold to the same redaction rules. */
function capture(format: "json" | "pretty") {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) }, format);
  return { logger, output: () => lines.join("") };
}

const CANARIES: [field: string, value: unknown, secret: string][] = [
  ["text", "canary words typed by someone", "canary words"],
  ["from", { id: 7_777_123_456, first_name: "Ondine", username: "ondine_canary" }, "ondine_canary"],
  ["chat", { id: 7_777_123_456 }, "7777123456"],
  ["location", { latitude: 45.512345, longitude: -73.554321 }, "45.512345"],
  ["token", "123456:SECRETSECRETSECRETSECRETSECRET", "SECRETSECRET"],
  ["botToken", "123456:SECRETSECRETSECRETSECRETSECRET", "SECRETSECRET"],
  ["secret", "webhook-secret-value", "webhook-secret-value"],
  ["databaseUrl", "postgres://perche:hunter2@db/perche", "hunter2"],
];

describe("the logs", () => {
  for (const format of ["json", "pretty"] as const)
    it.each(CANARIES)(`${format}: a %s slipped into a log line is redacted`, (field, value, secret) => {
      const { logger, output } = capture(format);
      logger.warn({ [field]: value, nested: { [field]: value }, updateId: 42 }, "something happened");
      expect(output()).toContain("something happened");
      expect(output()).toContain("42");
      expect(output()).not.toContain(secret);
    });

  it("are JSON lines by default, pretty lines when asked", () => {
    const json = capture("json");
    json.logger.info({ updateId: 1 }, "hello");
    expect(JSON.parse(json.output())).toMatchObject({ level: 30, updateId: 1, msg: "hello" });
    const pretty = capture("pretty");
    pretty.logger.info({ updateId: 1 }, "hello");
    expect(pretty.output()).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: hello \{"updateId":1\}\n$/);
  });

  it("are JSON on `auto` when they go anywhere but the terminal", () => {
    const lines: string[] = [];
    createLogger("info", { write: (line: string) => void lines.push(line) }, "auto").info("hello");
    expect(JSON.parse(lines.join(""))).toMatchObject({ msg: "hello" });
  });

  it("frame a line the operator must not miss, on its own lines, without the marker", () => {
    const { logger, output } = capture("pretty");
    logger.warn({ sites: 17, highlight: true }, "loaded the EXAMPLE directory");
    const text = output();
    expect(text).toMatch(/WARN: \n━+\nloaded the EXAMPLE directory\n━+\n/);
    expect(text).toContain('{"sites":17}');
    expect(text).not.toContain("highlight");
  });

  it("show a JSON line the same way the terminal does", () => {
    const { logger, output } = capture("json");
    logger.info({ updateId: 3 }, "hello");
    expect(prettyLine(output())).toMatch(/INFO: hello \{"updateId":3\}/);
  });
});
