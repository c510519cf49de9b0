import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirBusyError, lockDataDir, startTimeOf } from "../../src/db/data-dir-lock";

/**
 * The embedded database's lock after a kill -9: the dead owner's pid may by then belong to another
 * process (CI starts hundreds), which must not keep the bot from starting again.
 */
describe("the DATA_DIR lock", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "perche-lock-"));
    dirs.push(dir);
    return dir;
  };
  const lockFile = (dir: string) => path.join(dir, "perche.lock");
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("writes its pid and, on Linux, its start time", () => {
    const dir = fresh();
    const lock = lockDataDir(dir);
    const started = startTimeOf(process.pid);
    expect(readFileSync(lockFile(dir), "utf8")).toBe(
      started === undefined ? String(process.pid) : `${process.pid} ${started}`,
    );
    lock.release();
  });

  it.runIf(startTimeOf(process.ppid) !== undefined)(
    "takes over a lock whose pid now belongs to another process (a start time that is not its own)",
    () => {
      const dir = fresh();
      // The parent is alive, but it is not the process that wrote this lock.
      writeFileSync(lockFile(dir), `${process.ppid} 1`);
      const lock = lockDataDir(dir);
      expect(readFileSync(lockFile(dir), "utf8").split(" ")[0]).toBe(String(process.pid));
      lock.release();
    },
  );

  it("refuses a lock held by a live process that wrote it, with its start time or without (older files)", () => {
    for (const content of [
      `${process.ppid} ${startTimeOf(process.ppid) ?? ""}`.trim(),
      String(process.ppid),
    ]) {
      const dir = fresh();
      writeFileSync(lockFile(dir), content);
      expect(() => lockDataDir(dir)).toThrow(DataDirBusyError);
      expect(readFileSync(lockFile(dir), "utf8")).toBe(content);
    }
  });
});
