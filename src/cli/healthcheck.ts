import { configFromEnvironment } from "../config";

/**
 * `node dist/bin/healthcheck.js`: the container's HEALTHCHECK. Asks the running bot's GET /healthz on
 * this machine (PORT in webhook mode, HEALTH_PORT in polling mode) and exits 0 when it answers 200,
 * 1 otherwise, within 4 s.
 */
const parsed = configFromEnvironment();
const port = !parsed.ok
  ? undefined
  : parsed.config.mode.kind === "webhook"
    ? parsed.config.mode.port
    : parsed.config.mode.health?.port;
if (port === undefined) {
  process.stderr.write("no health port: set HEALTH_PORT (polling mode) or PORT (webhook mode)\n");
  process.exit(1);
}
const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
  signal: AbortSignal.timeout(4_000),
}).catch(() => undefined);
process.stdout.write(response ? `${response.status} ${await response.text()}\n` : "no answer\n");
process.exit(response?.ok ? 0 : 1);
