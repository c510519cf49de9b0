import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/db/client";
import { members, organisations } from "../../src/db/schema";
import { createSealer } from "../../src/privacy/sealed";
import { admin } from "../support/admin-cli";

const OLD_KEY = Buffer.alloc(32, 3).toString("base64url");

describe("npm run admin -- rotate-keys", { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "perche-rotate-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("says what to do when there are no keys yet, or when the previous key is missing", async () => {
    const empty = await admin(["rotate-keys"], { DATA_DIR: path.join(dir, "none") });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("start the bot once (it generates them), then rotate");
    const env = await admin(["rotate-keys"], {
      DATA_DIR: path.join(dir, "none"),
      PSEUDONYM_KEY: "p".repeat(40),
      ENCRYPTION_KEY: OLD_KEY,
    });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(
      "set ENCRYPTION_KEY to the new key and ENCRYPTION_KEY_PREVIOUS to the old one",
    );
    expect(env.stderr).not.toContain(OLD_KEY);
  });

  it("rotates the embedded keys: a new key on disk, every value re-sealed, the old key gone", async () => {
    const dataDir = path.join(dir, "embedded");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      path.join(dataDir, "keys.json"),
      JSON.stringify({ pseudonymKey: "p".repeat(40), encryptionKey: OLD_KEY }),
    );
    // A member whose chat id is sealed with the old key, in the embedded database of that DATA_DIR.
    const handle = await openPglite(dataDir);
    await handle.migrate();
    await handle.db.insert(organisations).values({ id: "org-a", nameFr: "A", nameEn: "A" });
    await handle.db.insert(members).values({
      organisationId: "org-a",
      role: "worker",
      alias: "Marc",
      pseudonym: "x",
      chatIdEnc: createSealer(OLD_KEY).seal("424242"),
      locale: "fr",
    });
    await handle.close();

    const result = await admin(["rotate-keys", "--pseudonym"], { DATA_DIR: dataDir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Re-sealed 1 value(s) (members.chat_id_enc: 1).");
    const keys = JSON.parse(readFileSync(path.join(dataDir, "keys.json"), "utf8"));
    expect(keys.encryptionKey).not.toBe(OLD_KEY);
    expect(keys.previousEncryptionKeys).toBeUndefined();
    expect(keys.previousPseudonymKeys).toEqual(["p".repeat(40)]);
    expect(keys.pseudonymKey).not.toBe("p".repeat(40));

    const reopened = await openPglite(dataDir);
    const [member] = await reopened.db.select().from(members);
    await reopened.close();
    expect(createSealer(keys.encryptionKey).open(member?.chatIdEnc ?? "")).toBe("424242");

    const dropped = await admin(["rotate-keys", "--drop-previous"], { DATA_DIR: dataDir });
    expect(dropped.stdout).toContain("Dropped 1 previous pseudonym key(s).");
  });
});
