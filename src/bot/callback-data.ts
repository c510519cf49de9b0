import { z } from "zod";

/**
 * Every inline button's data, parsed with one schema. Anything else (forged, junk, from an old version)
 * parses to undefined and gets the "out of date" answer. Ids are directory slugs: at most 40 ASCII
 * characters, so every payload stays well under Telegram's 64 bytes.
 */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);
const offset = z.coerce.number().int().min(0).max(10_000);

export type CallbackAction =
  | { kind: "supplies-menu" }
  | { kind: "material"; materialId: string; offset: number }
  | { kind: "site"; siteId: string }
  | { kind: "pin"; siteId: string }
  | { kind: "open"; offset: number }
  | { kind: "language"; choice: "fr" | "en" | "auto" }
  | { kind: "on-call"; choice: OnCallChoice }
  // Part 3: peer helpers and referral.
  | { kind: "peer-focus"; requestId: string }
  | { kind: "peer-withdraw"; requestId: string }
  | { kind: "refer-pick"; requestId: string }
  | { kind: "refer-to"; requestId: string; organisationId: string }
  | { kind: "refer-answer"; referralId: number; yes: boolean };

// Request ids are 12 base64url characters (requests/queries.ts newRequestId).
const requestId = z.string().regex(/^[A-Za-z0-9_-]{12}$/);
const referralId = z.coerce.number().int().min(1).max(2_000_000_000);

export const ON_CALL_CHOICES = ["on", "off", "4h", "morning"] as const;
export type OnCallChoice = (typeof ON_CALL_CHOICES)[number];

export const callbackData = {
  suppliesMenu: () => "sup",
  material: (materialId: string, from = 0) => (from > 0 ? `mat:${materialId}:${from}` : `mat:${materialId}`),
  site: (siteId: string) => `site:${siteId}`,
  pin: (siteId: string) => `pin:${siteId}`,
  open: (from: number) => `open:${from}`,
  language: (choice: "fr" | "en" | "auto") => `lang:${choice}`,
  onCall: (choice: OnCallChoice) => `oc:${choice}`,
  peerFocus: (requestId: string) => `pr:focus:${requestId}`,
  peerWithdraw: (requestId: string) => `pr:wd:${requestId}`,
  referPick: (requestId: string) => `rf:pick:${requestId}`,
  referTo: (requestId: string, organisationId: string) => `rf:to:${requestId}:${organisationId}`,
  referAnswer: (referralId: number, yes: boolean) => `rf:${yes ? "yes" : "no"}:${referralId}`,
};

export function parseCallbackData(data: string | undefined): CallbackAction | undefined {
  if (!data || data.length > 64) return undefined;
  const [prefix, a, b, ...rest] = data.split(":");
  // "rf:to:<request>:<organisation>" is the one four-part payload.
  if (prefix === "rf" && a === "to" && rest.length === 1) {
    const id = requestId.safeParse(b);
    const organisationId = slug.safeParse(rest[0]);
    return id.success && organisationId.success
      ? { kind: "refer-to", requestId: id.data, organisationId: organisationId.data }
      : undefined;
  }
  if (rest.length > 0) return undefined;
  switch (prefix) {
    case "sup":
      return a === undefined ? { kind: "supplies-menu" } : undefined;
    case "mat": {
      const materialId = slug.safeParse(a);
      const from = offset.safeParse(b ?? 0);
      return materialId.success && from.success
        ? { kind: "material", materialId: materialId.data, offset: from.data }
        : undefined;
    }
    case "site":
    case "pin": {
      const siteId = slug.safeParse(a);
      if (!siteId.success || b !== undefined) return undefined;
      return { kind: prefix === "site" ? "site" : "pin", siteId: siteId.data };
    }
    case "open": {
      const from = offset.safeParse(a);
      return from.success && b === undefined ? { kind: "open", offset: from.data } : undefined;
    }
    case "lang":
      return (a === "fr" || a === "en" || a === "auto") && b === undefined
        ? { kind: "language", choice: a }
        : undefined;
    case "oc":
      return ON_CALL_CHOICES.includes(a as OnCallChoice) && b === undefined
        ? { kind: "on-call", choice: a as OnCallChoice }
        : undefined;
    case "pr": {
      const id = requestId.safeParse(b);
      if (!id.success || (a !== "focus" && a !== "wd")) return undefined;
      return { kind: a === "focus" ? "peer-focus" : "peer-withdraw", requestId: id.data };
    }
    case "rf":
      return parseReferral(a, b);
    default:
      return undefined;
  }
}

function parseReferral(a: string | undefined, b: string | undefined): CallbackAction | undefined {
  if (a === "pick") {
    const id = requestId.safeParse(b);
    return id.success ? { kind: "refer-pick", requestId: id.data } : undefined;
  }
  if (a === "yes" || a === "no") {
    const id = referralId.safeParse(b);
    return id.success ? { kind: "refer-answer", referralId: id.data, yes: a === "yes" } : undefined;
  }
  return undefined;
}
