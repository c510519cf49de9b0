import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Two processes on one PGlite directory lose data silently, so the embedded database is guarded by a
 * lock file holding the owner's pid, and on Linux its start time too. A lock left by a dead process is
 * taken over, even when its pid now belongs to another process (pids are reused after a kill -9 or a
 * reboot: the start time tells the two apart).
 */
export class DataDirBusyError extends Error {
  constructor(readonly pid: number) {
    super(
      `Another Perche process (pid ${pid}) is using this DATA_DIR. Stop it first, or point DATABASE_URL at PostgreSQL to run several processes.`,
    );
  }
}

export type DataDirLock = { release(): void };

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dataDir, "perche.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      const started = startTimeOf(process.pid);
      writeSync(fd, started === undefined ? String(process.pid) : `${process.pid} ${started}`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readOwner(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(lockPath);
      if (owner?.pid === process.pid) throw new DataDirBusyError(owner.pid);
      if (owner !== undefined && isAlive(owner)) throw new DataDirBusyError(owner.pid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}; remove it if no Perche process is running.`);
}

type Owner = { pid: number; started: string | undefined };

function readOwner(lockPath: string): Owner | undefined {
  try {
    const [pidText, started] = readFileSync(lockPath, "utf8").trim().split(" ");
    const pid = Number.parseInt(pidText ?? "", 10);
    return Number.isFinite(pid) && pid > 0 ? { pid, started } : undefined;
  } catch {
    return undefined;
  }
}

/** The process is alive, and is the one that wrote the lock (same start time, where it can be read). */
function isAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

/** Linux: a process's start time in clock ticks since boot (/proc/<pid>/stat, field 22); elsewhere none. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ...: comm may hold spaces, so count the fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
