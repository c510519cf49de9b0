import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadKeys } from "../../src/privacy/keys";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { createSealer } from "../../src/privacy/sealed";

const KEY = Buffer.alloc(32, 1).toString("base64");

describe("sealed values", () => {
  it("opens what it sealed, and never seals the same text the same way twice", () => {
    const sealer = createSealer(KEY);
    const a = sealer.seal("123456789");
    const b = sealer.seal("123456789");
    expect(a).not.toBe(b);
    expect(a).not.toContain("123456789");
    expect(sealer.open(a)).toBe("123456789");
  });

  it("refuses a tampered value or one sealed with another key", () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal("123456789");
    // Flip one bit of the ciphertext itself (editing base64 text could touch only its padding bits).
    const [version, data] = sealed.split(".") as [string, string];
    const bytes = Buffer.from(data, "base64url");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const tampered = `${version}.${bytes.toString("base64url")}`;
    expect(() => sealer.open(tampered)).toThrow();
    expect(() => createSealer(Buffer.alloc(32, 2).toString("base64")).open(sealed)).toThrow();
    expect(() => sealer.open("junk")).toThrow();
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => createSealer("short")).toThrow(/32 bytes/);
  });
});

describe("pseudonyms", () => {
  it("are stable for one key and purpose, and differ across keys and purposes", () => {
    expect(pseudonymFor("k".repeat(32), 42)).toBe(pseudonymFor("k".repeat(32), 42));
    expect(pseudonymFor("k".repeat(32), 42)).not.toBe(pseudonymFor("j".repeat(32), 42));
    expect(pseudonymFor("k".repeat(32), 42, "member")).not.toBe(pseudonymFor("k".repeat(32), 42));
    expect(pseudonymFor("k".repeat(32), 42)).not.toContain("42");
  });
});

describe("keys in embedded mode", () => {
  it("are generated once into an owner-only file and reused", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "perche-keys-"));
    try {
      const first = loadKeys({
        pseudonymKey: undefined,
        encryptionKey: undefined,
        dataDir: dir,
        embedded: true,
      });
      expect(first.generatedInto).toBe(path.join(dir, "keys.json"));
      expect(statSync(path.join(dir, "keys.json")).mode & 0o777).toBe(0o600);
      const second = loadKeys({
        pseudonymKey: undefined,
        encryptionKey: undefined,
        dataDir: dir,
        embedded: true,
      });
      expect(second).toEqual({
        pseudonymKey: first.pseudonymKey,
        encryptionKey: first.encryptionKey,
        previousPseudonymKeys: [],
        previousEncryptionKeys: [],
      });
      expect(JSON.parse(readFileSync(path.join(dir, "keys.json"), "utf8"))).toEqual({
        pseudonymKey: first.pseudonymKey,
        encryptionKey: first.encryptionKey,
      });
      createSealer(second.encryptionKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("are required from configuration with PostgreSQL", () => {
    expect(() =>
      loadKeys({
        pseudonymKey: undefined,
        encryptionKey: undefined,
        dataDir: "/nonexistent",
        embedded: false,
      }),
    ).toThrow(/required with DATABASE_URL/);
  });
});
