/**
 * Test-only: loaded by test/e2e/hours.test.ts with NODE_OPTIONS="--import …", so the processes it starts
 * (npm start, npm run admin) see a clock that starts at PERCHE_E2E_CLOCK (an ISO instant) and runs on
 * from there. Nothing in src/ knows of it, so production has no way to be given another time.
 */
const start = Date.parse(process.env.PERCHE_E2E_CLOCK ?? "");
if (Number.isFinite(start)) {
  const RealDate = Date;
  const offset = start - RealDate.now();
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
