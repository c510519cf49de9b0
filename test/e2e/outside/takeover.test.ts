import { expect } from "vitest";
import { sentText } from "../chats";
import { buttonData, callbackQueryUpdate, type FakeUser } from "../fake-bot-api";
import { askUpToSummary, expectSent, joinOnCall, ORGANISATION } from "./journeys";
import { Ledger } from "./ledger";
import { twoInstanceScenario } from "./two-instances";

/**
 * An instance dies with an update in hand (part 11, items 2 and 3, from outside). Two `npm start` in
 * webhook mode on one PostgreSQL. Instance A takes a person's "send", and is killed with kill -9 before
 * the request is committed (the tap's answer is held at Telegram's door). The balancer then hands the
 * same update to B. B finds it in A's hands and asks for it again (500) until A's lease ends
 * (UPDATE_LEASE_SECONDS, 5 s here), then takes it over. The request is made once, its notice reaches
 * the worker once, and the person is told once, never "try again".
 */

const WORKER: FakeUser = {
  id: 5_422_558_973,
  firstName: "Léocadie",
  username: "leocadie_out",
  languageCode: "fr",
};
const PERSON: FakeUser = {
  id: 7_631_024_495,
  firstName: "Ambroisine",
  username: "ambroisine_out",
  languageCode: "fr",
};
const LEASE_SECONDS = 5;

twoInstanceScenario(
  "an instance killed with a send in hand, taken over by the other after its lease",
  async (run) => {
    const ledger = new Ledger("an instance killed with a send in hand, taken over after its lease");
    const toA = run.chats(() => "a");
    await run.admin(["directory", "import", "directory/example-montreal.yaml"]);
    await joinOnCall(toA, WORKER, await run.invite("worker", ORGANISATION), "Marc");
    const words = "Il me faut un lit ce soir, castor-6204";
    await askUpToSummary(toA, ledger, PERSON, words);
    expectSent(ledger, PERSON, WORKER, words, "castor-6204");

    const summary = run.fake.calls.findLast(
      (c) => Number(c.payload.chat_id) === PERSON.id && buttonData(c.result).includes("f:send"),
    );
    if (!summary?.result) throw new Error("no summary with a send button");
    const send = callbackQueryUpdate(PERSON, summary.result, "f:send");

    // A takes the update (its claim is in the snapshot's statement) and dies before the commit.
    const tapAnswer = run.faulty.holdBefore("answerCallbackQuery");
    const handedToA = Date.now();
    void run.deliver(send, "a");
    await tapAnswer.reached;
    run.faulty.killedAfter(2_000);
    await run.kill9(run.a);
    tapAnswer.drop();

    // Telegram's redelivery, through the balancer, now reaches B only.
    await run.deliver(send, "b");
    // Not before A's lease ended: A took it after it was handed over, so B cannot have it sooner.
    expect(Date.now() - handedToA).toBeGreaterThanOrEqual(LEASE_SECONDS * 1_000);
    await ledger.waitForAll(run.fake, 30_000);
    const notices = run.fake.calls.filter(
      (c) =>
        c.method === "sendMessage" &&
        Number(c.payload.chat_id) === WORKER.id &&
        sentText(c).includes("castor-6204"),
    );
    expect(notices).toHaveLength(1);
    await run.settle(ledger, [WORKER, PERSON]);
  },
  { UPDATE_LEASE_SECONDS: String(LEASE_SECONDS) },
);
