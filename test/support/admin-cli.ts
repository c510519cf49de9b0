import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export type AdminResult = { code: number; stdout: string; stderr: string };

/**
 * `npm run admin -- <args>` as a child process, without the developer's database or keys: the
 * embedded database unless `env` says otherwise. Never throws; the exit code is in the result.
 */
export async function admin(args: string[], env: Record<string, string> = {}): Promise<AdminResult> {
  try {
    const { stdout, stderr } = await run(TSX, ["src/cli/admin.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, TZ: "UTC", DATABASE_URL: "", PSEUDONYM_KEY: "", ENCRYPTION_KEY: "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
