/**
 * Test-only: loaded by test/e2e/outside/crash-policy.test.ts with NODE_OPTIONS="--import …", so that the
 * bot started by `npm start` can be made to meet, on a signal from outside, the two errors nobody catches:
 * SIGUSR2 rejects a promise nobody awaits, SIGWINCH throws from a callback. Each error carries what a
 * grammY error carries (a person's id, name, username and words, in PERCHE_E2E_CRASH_WORDS), so the test
 * can prove none of it reaches the log. Only the process running src/main.ts arms it (npm, which is node
 * too, sees the same NODE_OPTIONS); nothing in src/ knows of it.
 */
if (process.argv.some((arg) => arg.endsWith("src/main.ts"))) {
  const words = process.env.PERCHE_E2E_CRASH_WORDS ?? "";
  const payload = () =>
    Object.assign(new Error(`while handling ${words}`), { code: "E_PERCHE_TEST", update: { text: words } });
  process.on("SIGUSR2", () => {
    Promise.reject(payload());
  });
  process.on("SIGWINCH", () => {
    setImmediate(() => {
      throw payload();
    });
  });
}
