import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Act,
  type AddressingInput,
  address,
  byLatestActivity,
  type HeldView,
  type Sender,
  type TargetView,
  validFocus,
} from "../../src/features/requests/addressing";

/** Where a worker's or peer's words go (src/features/requests/addressing.ts), rule by rule. */
const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 20, minute));

const marc: Sender = { memberId: 1, role: "worker", organisationId: "org-a" };
const sam: Sender = { memberId: 5, role: "peer", organisationId: "org-a" };

// Marc claimed Hirondelle at :00, then Lynx at :10; Zoé (Hirondelle) wrote last, at :20.
const hirondelle: HeldView = { id: "hirondelle00", heldSince: at(0), lastActivityAt: at(20) };
const lynx: HeldView = { id: "lynx00000000", heldSince: at(10), lastActivityAt: at(15) };

const mine = (id: string, extra: Partial<TargetView> = {}): TargetView => ({
  id,
  active: true,
  organisationId: "org-a",
  claimedByMemberId: 1,
  relayedByMemberId: null,
  ...extra,
});

type Case = [string, AddressingInput, ReturnType<typeof address>];
const words: Act = { kind: "words" };

const cases: Case[] = [
  [
    "holding nothing, plain words are for no request",
    { sender: marc, held: [], focus: null, act: words },
    { kind: "refuse", reason: "nothing-held" },
  ],
  [
    "holding one, plain words go to it and leave the focus alone",
    { sender: marc, held: [hirondelle], focus: null, act: words },
    { kind: "send", requestId: hirondelle.id, focusChanged: false, refocus: false },
  ],
  [
    "holding one, even with an old focus elsewhere, plain words go to it",
    { sender: marc, held: [lynx], focus: { requestId: "gone00000000", setAt: at(1) }, act: words },
    { kind: "send", requestId: lynx.id, focusChanged: false, refocus: false },
  ],
  [
    "holding two with no focus, the bot asks, latest activity first",
    { sender: marc, held: [lynx, hirondelle], focus: null, act: words },
    { kind: "ask", choices: [hirondelle.id, lynx.id] },
  ],
  [
    "holding two, a focus chosen before the second claim does not count: the bot asks",
    { sender: marc, held: [hirondelle, lynx], focus: { requestId: hirondelle.id, setAt: at(5) }, act: words },
    { kind: "ask", choices: [hirondelle.id, lynx.id] },
  ],
  [
    "holding two, a focus chosen after both became his takes the words",
    { sender: marc, held: [hirondelle, lynx], focus: { requestId: lynx.id, setAt: at(12) }, act: words },
    { kind: "send", requestId: lynx.id, focusChanged: false, refocus: false },
  ],
  [
    "a focus on a request no longer held is ignored",
    {
      sender: marc,
      held: [hirondelle, lynx],
      focus: { requestId: "gone00000000", setAt: at(30) },
      act: words,
    },
    { kind: "ask", choices: [hirondelle.id, lynx.id] },
  ],
  [
    "a reply to a message of a request of his goes there and moves the focus",
    { sender: marc, held: [hirondelle, lynx], focus: null, act: { kind: "reply", target: mine(lynx.id) } },
    { kind: "send", requestId: lynx.id, focusChanged: true, refocus: true },
  ],
  [
    "a reply to the request already in focus says nothing new",
    {
      sender: marc,
      held: [hirondelle, lynx],
      focus: { requestId: lynx.id, setAt: at(12) },
      act: { kind: "reply", target: mine(lynx.id) },
    },
    { kind: "send", requestId: lynx.id, focusChanged: false, refocus: false },
  ],
  [
    "a reply to the focus chosen before a new claim chooses it again, silently",
    {
      sender: marc,
      held: [hirondelle, lynx],
      focus: { requestId: hirondelle.id, setAt: at(5) },
      act: { kind: "reply", target: mine(hirondelle.id) },
    },
    { kind: "send", requestId: hirondelle.id, focusChanged: false, refocus: true },
  ],
  [
    "a reply to a message of no request is plain words",
    { sender: marc, held: [hirondelle, lynx], focus: null, act: { kind: "reply", target: undefined } },
    { kind: "ask", choices: [hirondelle.id, lynx.id] },
  ],
  [
    "a reply to a message of an ended request is refused",
    {
      sender: marc,
      held: [hirondelle],
      focus: null,
      act: { kind: "reply", target: mine("ended0000000", { active: false }) },
    },
    { kind: "refuse", reason: "ended" },
  ],
  [
    "a reply to a message of a request moved to another organisation is refused",
    {
      sender: marc,
      held: [hirondelle],
      focus: null,
      act: { kind: "reply", target: mine("moved0000000", { organisationId: "org-b", claimedByMemberId: 9 }) },
    },
    { kind: "refuse", reason: "moved" },
  ],
  [
    "a reply to a message of a request another worker holds is refused",
    {
      sender: marc,
      held: [hirondelle],
      focus: null,
      act: { kind: "reply", target: mine("theirs000000", { claimedByMemberId: 2 }) },
    },
    { kind: "refuse", reason: "not-yours" },
  ],
  [
    "a reply to the notice of a request nobody claimed yet is refused",
    {
      sender: marc,
      held: [],
      focus: null,
      act: { kind: "reply", target: mine("open00000000", { claimedByMemberId: null }) },
    },
    { kind: "refuse", reason: "not-yours" },
  ],
  [
    "a tap on 💬 of a held request chooses it",
    {
      sender: marc,
      held: [hirondelle, lynx],
      focus: null,
      act: { kind: "focus-tap", target: mine(lynx.id) },
    },
    { kind: "send", requestId: lynx.id, focusChanged: true, refocus: true },
  ],
  [
    "a tap on 💬 of a request that no longer exists is refused",
    { sender: marc, held: [hirondelle], focus: null, act: { kind: "focus-tap", target: undefined } },
    { kind: "refuse", reason: "ended" },
  ],
  [
    'the answer to "which request?" chooses it',
    {
      sender: marc,
      held: [hirondelle, lynx],
      focus: null,
      act: { kind: "which-answer", target: mine(hirondelle.id) },
    },
    { kind: "send", requestId: hirondelle.id, focusChanged: true, refocus: true },
  ],
  [
    'a stale answer to "which request?" (the request was released since) is refused',
    {
      sender: marc,
      held: [hirondelle],
      focus: null,
      act: { kind: "which-answer", target: mine(lynx.id, { claimedByMemberId: null }) },
    },
    { kind: "refuse", reason: "not-yours" },
  ],
  [
    "a peer's reply to a message of a request they relay goes there, claimed or waiting",
    {
      sender: sam,
      held: [hirondelle, lynx],
      focus: null,
      act: { kind: "reply", target: mine(lynx.id, { claimedByMemberId: null, relayedByMemberId: 5 }) },
    },
    { kind: "send", requestId: lynx.id, focusChanged: true, refocus: true },
  ],
  [
    "a peer's reply to a message about a request they do not relay was worker-only: refused",
    {
      sender: sam,
      held: [hirondelle],
      focus: null,
      act: { kind: "reply", target: mine("workers00000", { relayedByMemberId: null }) },
    },
    { kind: "refuse", reason: "worker-only" },
  ],
  [
    "a peer holding two relayed requests is asked too",
    { sender: sam, held: [hirondelle, lynx], focus: null, act: words },
    { kind: "ask", choices: [hirondelle.id, lynx.id] },
  ],
];

describe("addressing a worker's or peer's words", () => {
  it.each(cases)("%s", (_name, input, expected) => {
    expect(address(input)).toEqual(expected);
  });
});

// --- Properties over any situation ------------------------------------------------------------------

const ids = ["r1aaaaaaaaaa", "r2bbbbbbbbbb", "r3cccccccccc", "r4dddddddddd"];
const minute = fc.integer({ min: 0, max: 120 }).map(at);
const heldArb = fc
  .subarray(ids)
  .chain((chosen) =>
    fc.tuple(
      ...chosen.map((id) => fc.record({ id: fc.constant(id), heldSince: minute, lastActivityAt: minute })),
    ),
  )
  .map((held) => held as HeldView[]);
const senderArb = fc.constantFrom<Sender>(marc, sam, { memberId: 3, role: "admin", organisationId: "org-a" });
const targetArb = fc.option(
  fc.record({
    id: fc.constantFrom(...ids),
    active: fc.boolean(),
    organisationId: fc.constantFrom("org-a", "org-b"),
    claimedByMemberId: fc.constantFrom(null, 1, 2, 3),
    relayedByMemberId: fc.constantFrom(null, 5, 6),
  }),
  { nil: undefined },
);
const actArb: fc.Arbitrary<Act> = fc.oneof(
  fc.constant<Act>({ kind: "words" }),
  targetArb.map((target): Act => ({ kind: "reply", target })),
  targetArb.map((target): Act => ({ kind: "focus-tap", target })),
  targetArb.map((target): Act => ({ kind: "which-answer", target })),
);
const inputArb: fc.Arbitrary<AddressingInput> = fc.record({
  sender: senderArb,
  held: heldArb,
  focus: fc.option(
    fc.record({ requestId: fc.constantFrom(...ids), setAt: fc.option(minute, { nil: null }) }),
    {
      nil: null,
    },
  ),
  act: actArb,
});

describe("addressing, whatever the situation", () => {
  it("never sends anywhere but a request the sender may write to", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = address(input);
        if (result.kind !== "send") return;
        const { act, sender } = input;
        const target = act.kind === "words" ? undefined : act.target;
        if (target) {
          // An explicit act: exactly its request, and only one the sender holds or relays, in their team.
          expect(result.requestId).toBe(target.id);
          expect(target.active).toBe(true);
          if (sender.role === "peer") expect(target.relayedByMemberId).toBe(sender.memberId);
          else {
            expect(target.claimedByMemberId).toBe(sender.memberId);
            expect(target.organisationId).toBe(sender.organisationId);
          }
        } else expect(input.held.map((h) => h.id)).toContain(result.requestId);
      }),
    );
  });

  it("never guesses: plain words with several held go to the focus chosen after the newest, or ask", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(input.act.kind === "words" && input.held.length > 1);
        const result = address(input);
        const newest = Math.max(...input.held.map((h) => h.heldSince.getTime()));
        if (result.kind === "send") {
          expect(result.requestId).toBe(input.focus?.requestId);
          expect(input.focus?.setAt?.getTime()).toBeGreaterThanOrEqual(newest);
        } else {
          expect(result.kind).toBe("ask");
          if (result.kind !== "ask") return;
          expect([...result.choices].sort()).toEqual(input.held.map((h) => h.id).sort());
          const activity = result.choices.map(
            (id) => input.held.find((h) => h.id === id)?.lastActivityAt.getTime() ?? 0,
          );
          expect(activity).toEqual([...activity].sort((a, b) => b - a));
        }
      }),
    );
  });

  it("moves the focus only on an explicit act, and says so only when it changes", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = address(input);
        if (result.kind !== "send") return;
        if (input.act.kind === "words" || input.act.target === undefined) {
          expect(result.focusChanged).toBe(false);
          expect(result.refocus).toBe(false);
        } else expect(result.focusChanged).toBe(input.focus?.requestId !== result.requestId);
        if (result.focusChanged) expect(result.refocus).toBe(true);
      }),
    );
  });
});

describe("the edges of the focus and the order of choices", () => {
  it("lists requests with the same last activity most recently held first, then by id", () => {
    const one: HeldView = { id: "b", heldSince: at(1), lastActivityAt: at(30) };
    const two: HeldView = { id: "a", heldSince: at(2), lastActivityAt: at(30) };
    const three: HeldView = { id: "c", heldSince: at(2), lastActivityAt: at(30) };
    const four: HeldView = { id: "d", heldSince: at(0), lastActivityAt: at(31) };
    expect(byLatestActivity([one, two, three, four]).map((h) => h.id)).toEqual(["d", "a", "c", "b"]);
    expect(byLatestActivity([three, one, four, two]).map((h) => h.id)).toEqual(["d", "a", "c", "b"]);
  });

  it("holding one, a reply to it with a focus set before the claim writes nothing", () => {
    const early = { requestId: hirondelle.id, setAt: at(-5) };
    expect(
      address({
        sender: marc,
        held: [hirondelle],
        focus: early,
        act: { kind: "reply", target: mine(hirondelle.id) },
      }),
    ).toEqual({ kind: "send", requestId: hirondelle.id, focusChanged: false, refocus: false });
    expect(validFocus({ held: [hirondelle], focus: { requestId: hirondelle.id, setAt: null } })).toBe(
      hirondelle.id,
    );
  });

  it("counts a focus chosen the same instant as the newest claim", () => {
    expect(
      address({
        sender: marc,
        held: [hirondelle, lynx],
        focus: { requestId: lynx.id, setAt: at(10) },
        act: words,
      }),
    ).toEqual({ kind: "send", requestId: lynx.id, focusChanged: false, refocus: false });
  });
});
