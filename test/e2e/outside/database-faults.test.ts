import { expect } from "vitest";
import type { FakeUser } from "../fake-bot-api";
import { sleep } from "../support";
import { outsideScenario } from "./harness";
import { claimedRequest, lookUp, prepareTeam, relayBothWays } from "./journeys";
import { Ledger } from "./ledger";

/**
 * PostgreSQL ending or losing the bot's connections, from outside the process: `npm start` reaches the
 * database through the TCP proxy, with a worker and a person talking through a claimed request. Each
 * fault (pg_terminate_backend, every connection reset, a partition that holds the traffic, one that drops
 * it, new connections refused) comes while relayed messages are on their way; none may be lost, doubled
 * or misdelivered, the process must not crash (nor print anyone's id or name), and once the fault ends
 * someone looking something up is answered within 5 s.
 */

const WORKER: FakeUser = {
  id: 5_402_917_336,
  firstName: "Gudrune",
  username: "gudrune_out",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_529_103_848,
  firstName: "Anatole",
  username: "anatole_out",
  languageCode: "fr",
};
const bystander = (n: number): FakeUser => ({
  id: 6_733_190_000 + n * 7_919,
  firstName: `Passante${n}q`,
  username: `passante${n}_out`,
  languageCode: "fr",
});
const BACK_WITHIN_MS = 5_000;

outsideScenario(
  "the database ends, resets, partitions or refuses the bot's connections",
  [
    { mode: "polling", database: "postgres" },
    { mode: "webhook", database: "postgres" },
  ],
  async (run) => {
    const proxy = run.proxy;
    if (!proxy) throw new Error("needs the TCP proxy");
    const code = await prepareTeam(run);
    const bot = await run.start();
    const setup = new Ledger("a request made and claimed");
    const chats = await claimedRequest(run, bot, setup, {
      worker: WORKER,
      person: PERSON,
      code,
      token: "ibis-2291",
    });
    const ledgers = [setup];
    const people = [WORKER, PERSON];

    // pg_terminate_backend, three times, each with messages on their way.
    const terminated = new Ledger("pg_terminate_backend");
    ledgers.push(terminated);
    for (let round = 0; round < 3; round++) {
      relayBothWays(chats, terminated, WORKER, PERSON, `terminate${round}`);
      await sleep(100);
      expect(await run.terminateBackends()).toBeGreaterThan(0);
      await sleep(300);
    }
    await terminated.waitForAll(run.fake, 20_000);

    // Every connection reset at once, twice.
    const reset = new Ledger("connections reset");
    ledgers.push(reset);
    for (let round = 0; round < 2; round++) {
      relayBothWays(chats, reset, WORKER, PERSON, `reset${round}`);
      await sleep(100);
      proxy.resetAll();
      await sleep(300);
    }
    await reset.waitForAll(run.fake, 20_000);

    // Nothing passes for 9 s (longer than a webhook answer used to wait), then everything held goes on.
    const held = new Ledger("partition of 9 s, traffic held");
    ledgers.push(held);
    const holding = proxy.partition(9_000);
    relayBothWays(chats, held, WORKER, PERSON, "held");
    await holding;
    await lookUp(chats, held, bystander(1), BACK_WITHIN_MS);
    await held.waitForAll(run.fake, 20_000);

    // Nothing passes for 4 s and what was sent is lost; the connections are cut when it ends.
    const dropped = new Ledger("partition of 4 s, traffic dropped");
    ledgers.push(dropped);
    const dropping = proxy.partition(4_000, { drop: true });
    relayBothWays(chats, dropped, WORKER, PERSON, "dropped");
    await dropping;
    await lookUp(chats, dropped, bystander(2), BACK_WITHIN_MS);
    await dropped.waitForAll(run.fake, 20_000);

    // The connections cut and new ones refused for 3 s.
    const refused = new Ledger("connections refused for 3 s");
    ledgers.push(refused);
    await proxy.refuse(true);
    proxy.resetAll();
    relayBothWays(chats, refused, WORKER, PERSON, "refused");
    await sleep(3_000);
    await proxy.refuse(false);
    await lookUp(chats, refused, bystander(3), BACK_WITHIN_MS);

    await run.settle(ledgers, bot, [...people, bystander(1), bystander(2), bystander(3)]);
  },
);
