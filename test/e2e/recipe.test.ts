import { type ChildProcess, exec, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeBotApi, startFakeBotApi } from "./fake-bot-api";
import { freeLoopbackPort, TOKEN } from "./support";

/**
 * The deployment recipes, tested here without Docker or systemd: the Dockerfile's instructions are
 * read and carried out in a fresh folder (each stage's filesystem under a folder of its own, its
 * absolute paths mapped there), with the pinned Node 24 playing node:24-slim's; then the bot starts
 * from the result with the image's CMD, its HEALTHCHECK passes, and SIGTERM stops it with 0. The
 * systemd unit's ExecStart starts the same result. USER is the one instruction not carried out (this
 * runs as one user), so the test checks nothing in the image needs root at run time: the data folder
 * is the only one written.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NODE_24_BIN = path.join(ROOT, "node_modules/node/bin");
const run = promisify(exec);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// npm ci twice (side by side) in a fresh folder on a shared machine: minutes, not seconds.
const RECIPE_TIMEOUT_MS = 900_000;

type Stage = {
  name: string;
  root: string;
  cwd: string;
  env: Record<string, string>;
  cmd?: string[];
  healthcheck?: string[];
};

/**
 * The image's PATH and nothing from this test's npm or its database; the machine's own settings (its
 * certificate authorities, say) stay, as a build's do. node:24-slim has Node 24 as `node`.
 */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (
      value !== undefined &&
      !/^(npm_|NODE_OPTIONS$|NODE_ENV$|VITEST|TEST_|DATABASE_URL|BOT_|PSEUDONYM|ENCRYPTION)/i.test(name)
    )
      env[name] = value;
  return { ...env, PATH: `${NODE_24_BIN}:/usr/local/bin:/usr/bin:/bin` };
}

/** `/app/x` inside a stage → the folder standing for it. */
const inStage = (stage: Stage, target: string) =>
  path.isAbsolute(target) ? path.join(stage.root, target) : path.join(stage.cwd, target);
const mapAbsolute = (stage: Stage, text: string) =>
  text.replace(
    /(^|[\s=])(\/(?:app|home\/node)(?:\/[\w./-]*)?)/g,
    (_, before: string, p: string) => `${before}${path.join(stage.root, p)}`,
  );

/**
 * Carries out the Dockerfile. Each stage runs as soon as the stages it copies from are done, the way
 * BuildKit builds them: the build stage's `npm ci` and the deps stage's run side by side.
 */
async function buildFromDockerfile(workspace: string): Promise<Stage> {
  const lines = readFileSync(path.join(ROOT, "Dockerfile"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  // The stages and their instructions, in the file's order.
  const stages: { stage: Stage; instructions: string[] }[] = [];
  for (const line of lines) {
    const [op = "", ...rest] = line.split(/\s+/);
    if (op === "FROM") {
      expect(rest[0]).toBe("node:24-slim");
      const name = rest[2] ?? `stage-${stages.length}`;
      const root = path.join(workspace, name);
      mkdirSync(root, { recursive: true });
      stages.push({ stage: { name, root, cwd: root, env: imageEnv() }, instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) throw new Error(`${op} before FROM`);
    current.instructions.push(line);
  }
  const built = new Map<string, Promise<Stage>>();
  const stageNamed = (name: string) => {
    const found = built.get(name);
    if (!found) throw new Error(`COPY --from=${name}: no such stage before it`);
    return found;
  };
  for (const { stage, instructions } of stages)
    built.set(stage.name, carryOut(stage, instructions, stageNamed));
  const all = await Promise.all(built.values());
  return all.at(-1) as Stage;
}

async function carryOut(
  current: Stage,
  instructions: string[],
  stageNamed: (name: string) => Promise<Stage>,
): Promise<Stage> {
  for (const line of instructions) {
    const [op = "", ...rest] = line.split(/\s+/);
    const args = line.slice(op.length).trim();
    switch (op) {
      case "WORKDIR":
        current.cwd = inStage(current, args);
        mkdirSync(current.cwd, { recursive: true });
        break;
      case "ENV":
        for (const pair of rest) {
          const [name = "", value = ""] = pair.split("=");
          current.env[name] = mapAbsolute(current, value);
        }
        break;
      case "COPY": {
        const from = /--from=(\S+)/.exec(args)?.[1];
        const origin = from ? await stageNamed(from) : undefined;
        const paths = rest.filter((word) => !word.startsWith("--"));
        const dest = paths.pop() as string;
        for (const source of paths) {
          const sourcePath = origin ? inStage(origin, source) : path.join(ROOT, source);
          const target = dest.endsWith("/")
            ? path.join(inStage(current, dest), path.basename(source))
            : inStage(current, dest);
          cpSync(sourcePath, target, { recursive: true });
        }
        break;
      }
      case "RUN":
        await run(mapAbsolute(current, args), {
          cwd: current.cwd,
          env: current.env,
          timeout: RECIPE_TIMEOUT_MS,
        });
        break;
      case "CMD":
        current.cmd = JSON.parse(args) as string[];
        break;
      case "HEALTHCHECK":
        current.healthcheck = JSON.parse(args.slice(args.indexOf("CMD") + 3).trim()) as string[];
        break;
      case "USER":
      case "VOLUME":
      case "EXPOSE":
        break;
      default:
        throw new Error(`the recipe test does not know ${op}`);
    }
  }
  return current;
}

class Started {
  output = "";
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.output += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.output += chunk;
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }
}

function start(command: string[], cwd: string, env: Record<string, string>): Started {
  const [file = "", ...args] = command;
  return new Started(spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
}

/** Waits for a getUpdates recorded after the first `from` calls: the bot started and polls. */
async function waitForPolling(api: FakeBotApi, bot: Started, from = 0): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!api.calls.slice(from).some((c) => c.method === "getUpdates")) {
    if (Date.now() > deadline || bot.child.exitCode !== null)
      throw new Error(`the bot did not start polling\n${bot.output}`);
    await sleep(200);
  }
}

async function stop(bot: Started): Promise<number | null> {
  bot.child.kill("SIGTERM");
  return bot.exited;
}

describe("the deployment recipes, run in a fresh folder", () => {
  const workspace = mkdtempSync(path.join(tmpdir(), "perche-recipe-"));
  const started: Started[] = [];
  afterAll(() => {
    for (const bot of started) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
    // Three node_modules trees: removing them takes over a minute on a busy disk, which no test waits
    // for. A process of its own removes them after this file.
    spawn("rm", ["-rf", workspace], { detached: true, stdio: "ignore" }).unref();
  });

  it(
    "build an image whose CMD starts the bot, HEALTHCHECK passes and SIGTERM stops; the systemd unit starts it too",
    async () => {
      const image = await buildFromDockerfile(workspace);

      // Production dependencies only: no pinned Node, no tsx, no esbuild.
      for (const devOnly of ["node", "tsx", "esbuild", "vitest"])
        expect(existsSync(path.join(image.cwd, "node_modules", devOnly)), devOnly).toBe(false);
      expect(existsSync(path.join(image.cwd, "dist/bin/main.js"))).toBe(true);
      // The /stats chart is drawn by a process of its own: its script is built beside the bot.
      expect(existsSync(path.join(image.cwd, "dist/bin/chart-render.js"))).toBe(true);

      const api = await startFakeBotApi(TOKEN);
      try {
        const healthPort = String(await freeLoopbackPort());
        const env: Record<string, string> = {
          ...image.env,
          BOT_TOKEN: TOKEN,
          TELEGRAM_API_ROOT: api.apiRoot,
          HEALTH_PORT: healthPort,
        };
        const bot = start(image.cmd ?? [], image.cwd, env);
        started.push(bot);
        await waitForPolling(api, bot);
        const health = await run((image.healthcheck ?? []).join(" "), { cwd: image.cwd, env });
        expect(health.stdout).toMatch(/^200 \{"ok":true,"database":"ok","telegram":"ok"/);
        expect(await stop(bot), bot.output).toBe(0);
        // The data folder is the one the image's ENV names, made by its RUN as the `node` user.
        expect(existsSync(path.join(env.DATA_DIR as string, "pglite"))).toBe(true);
        expect(bot.output).toContain('"msg":"Perche is running"');

        // The systemd unit: its ExecStart and Environment on the same folder.
        const unit = readFileSync(path.join(ROOT, "deploy/perche.service"), "utf8");
        const setting = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(unit)?.[1] ?? "";
        const stateDir = path.join(workspace, "var-lib-perche");
        const mapUnit = (text: string) =>
          text
            .replaceAll("/opt/perche", image.cwd)
            .replaceAll("/var/lib/perche", stateDir)
            .replaceAll("/usr/bin/node", path.join(NODE_24_BIN, "node"));
        const unitEnv = Object.fromEntries(
          mapUnit(setting("Environment"))
            .split(/\s+/)
            .map((pair) => pair.split("=") as [string, string]),
        );
        const callsBefore = api.calls.length;
        const service = start(
          mapUnit(setting("ExecStart")).split(/\s+/),
          mapUnit(setting("WorkingDirectory")),
          {
            ...imageEnv(),
            ...unitEnv,
            BOT_TOKEN: TOKEN,
            TELEGRAM_API_ROOT: api.apiRoot,
          },
        );
        started.push(service);
        await waitForPolling(api, service, callsBefore);
        expect(await stop(service), service.output).toBe(0);
        expect(existsSync(path.join(stateDir, "pglite"))).toBe(true);
      } finally {
        await api.close();
      }
    },
    RECIPE_TIMEOUT_MS,
  );
});
