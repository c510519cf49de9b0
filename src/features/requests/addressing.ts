/**
 * Where a worker's or peer helper's words go. Pure: what they hold, their focus, the request of the
 * message they replied to (if any) and what they did in; a destination, "ask which", or a refusal out.
 * The handlers only read these facts and act on the answer; every rule lives here.
 *
 * The rules (README, "Workers with several requests"):
 * - A reply to a message that belongs to a request (its notice, a relayed message, their own words, a 💬
 *   prompt) goes to that request, and makes it the focus.
 * - A tap on a request's 💬, or the answer to "which request?", makes it the focus.
 * - Plain words: holding one request, to it; holding several, to the focus only when it was chosen after
 *   the newest of them became theirs; otherwise the bot asks which (latest activity first), never guesses.
 * - Nothing else moves the focus: another person's message, a claim, a hand-over or a referral.
 */

export type SenderRole = "worker" | "admin" | "peer";

/** A request as addressing sees it. `heldSince`: when it became the sender's (claimed, handed, relayed). */
export type HeldView = { id: string; heldSince: Date; lastActivityAt: Date };

/** The request a replied-to (or tapped) message belongs to, as it is now. */
export type TargetView = {
  id: string;
  active: boolean;
  organisationId: string;
  claimedByMemberId: number | null;
  relayedByMemberId: number | null;
};

export type Sender = { memberId: number; role: SenderRole; organisationId: string };

export type Act =
  | { kind: "words" }
  /** A Telegram reply to a message that belongs to `target` (undefined: to a message of no request). */
  | { kind: "reply"; target: TargetView | undefined }
  /** A tap on a request's 💬 (`target` undefined: the request no longer exists). */
  | { kind: "focus-tap"; target: TargetView | undefined }
  /** The answer to "which request?" (`target` undefined: the request no longer exists). */
  | { kind: "which-answer"; target: TargetView | undefined };

export type AddressingInput = {
  sender: Sender;
  held: HeldView[];
  focus: { requestId: string; setAt: Date | null } | null;
  act: Act;
};

export type Refusal = "ended" | "moved" | "not-yours" | "worker-only" | "nothing-held";

export type Addressing =
  /**
   * Send to `requestId` (a 💬 tap sends nothing: it only chooses). `focusChanged`: it becomes the focus
   * now, and the bot says so once; `refocus`: the focus is written (changed, or chosen again).
   */
  | { kind: "send"; requestId: string; focusChanged: boolean; refocus: boolean }
  /** Ask which, one choice per held request, latest activity first. */
  | { kind: "ask"; choices: string[] }
  | { kind: "refuse"; reason: Refusal };

/** Whether `target` is the sender's to write to, or why not. */
export function refusalFor(sender: Sender, target: TargetView | undefined): Refusal | undefined {
  if (!target?.active) return "ended";
  if (sender.role === "peer") {
    if (target.relayedByMemberId === sender.memberId) return undefined;
    // A message in a peer's chat about a request they do not relay was meant for workers.
    return "worker-only";
  }
  if (target.organisationId !== sender.organisationId) return "moved";
  return target.claimedByMemberId === sender.memberId ? undefined : "not-yours";
}

/** The held requests, latest activity first (ties: the most recently held first, then by id). */
export function byLatestActivity(held: HeldView[]): HeldView[] {
  return [...held].sort(
    (a, b) =>
      b.lastActivityAt.getTime() - a.lastActivityAt.getTime() ||
      b.heldSince.getTime() - a.heldSince.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The focus still means something: one of the held requests, chosen after the newest became theirs. */
export function validFocus(input: Pick<AddressingInput, "held" | "focus">): string | undefined {
  const { focus, held } = input;
  if (!focus || !held.some((h) => h.id === focus.requestId)) return undefined;
  if (held.length === 1) return focus.requestId;
  const newest = Math.max(...held.map((h) => h.heldSince.getTime()));
  return focus.setAt !== null && focus.setAt.getTime() >= newest ? focus.requestId : undefined;
}

export function address(input: AddressingInput): Addressing {
  const { act, sender, held } = input;
  if (act.kind !== "words" && (act.kind !== "reply" || act.target !== undefined)) {
    const refusal = refusalFor(sender, act.target);
    if (refusal) return { kind: "refuse", reason: refusal };
    const requestId = (act.target as TargetView).id;
    const focusChanged = input.focus?.requestId !== requestId;
    return {
      kind: "send",
      requestId,
      focusChanged,
      refocus: focusChanged || validFocus(input) !== requestId,
    };
  }
  // Plain words, or a reply to a message that belongs to no request.
  if (held.length === 0) return { kind: "refuse", reason: "nothing-held" };
  const only = held.length === 1 ? (held[0] as HeldView).id : undefined;
  const focus = only ?? validFocus(input);
  if (focus) return { kind: "send", requestId: focus, focusChanged: false, refocus: false };
  return { kind: "ask", choices: byLatestActivity(held).map((h) => h.id) };
}
