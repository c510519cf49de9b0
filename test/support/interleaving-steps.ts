import fc from "fast-check";

/**
 * The steps of one random interleaving (test/bot/interleavings.test.ts): who does what, in which order.
 * A step names people and picks by index; the test resolves each pick against the state of the run at
 * that moment (requests nobody holds, messages in the author's chat, questions asked), so that every
 * sequence fast-check draws or shrinks to is one that can happen. `by` is a worker (0 Marc, 1 Béa),
 * `who` a person.
 */
export type Step =
  /** Person `who` asks (/parler … send), or writes to their request when they have one. */
  | { kind: "person"; who: number }
  /** The peer relays for someone (at most two), or writes when it relays two already. */
  | { kind: "relay" }
  | { kind: "peerWords" }
  /** `open`: among the requests nobody holds (else among all: a claim that finds it taken). */
  | { kind: "claim"; by: number; pick: number; open: boolean }
  | { kind: "release"; by: number; pick: number }
  | { kind: "hand"; by: number; pick: number }
  | { kind: "words"; by: number }
  /** `mine`: to a message of a request they hold, or of none (else any message of a request). */
  | { kind: "reply"; by: number; pick: number; mine: boolean }
  | { kind: "tap"; by: number; pick: number }
  | { kind: "peerReply"; pick: number; mine: boolean }
  | { kind: "peerTap"; pick: number }
  /** A "which request?" button: of a question still open, or (stale) of one answered already. */
  | { kind: "which"; pick: number; choice: number };

// Marc more often than Béa, so that he often holds several requests at once.
const worker = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) });
const pick = fc.nat({ max: 50 });
const mostly = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("person"), who: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("relay") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("peerWords") }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("claim"), by: worker, pick, open: mostly }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release"), by: worker, pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("hand"), by: worker, pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("words"), by: worker }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("reply"), by: worker, pick, mine: mostly }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("tap"), by: worker, pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("peerReply"), pick, mine: mostly }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("peerTap"), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("which"), pick, choice: pick }) },
) as fc.Arbitrary<Step>;

// Three people ask, the peer relays for someone, Marc takes two and taps 💬 on the first: every run
// starts with a worker holding several requests and a focus, where addressing has choices to make.
export const interleaving = fc
  .array(step, { minLength: 8, maxLength: 18 })
  .map((rest): Step[] => [
    { kind: "person", who: 0 },
    { kind: "person", who: 1 },
    { kind: "person", who: 2 },
    { kind: "relay" },
    { kind: "claim", by: 0, pick: 0, open: true },
    { kind: "claim", by: 0, pick: 0, open: true },
    { kind: "tap", by: 0, pick: 0 },
    ...rest,
  ]);
