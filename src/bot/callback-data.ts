import { z } from "zod";
import { REMINDER_EVERY_WEEKS } from "../db/schema";

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
  | { kind: "forget"; step: ForgetStep }
  // placeId null: all of Montreal.
  | { kind: "alert-subscribe"; placeId: string | null }
  | { kind: "alert-unsubscribe"; placeId: string }
  | { kind: "alert-stop" }
  | { kind: "broadcast-area"; placeId: string | null }
  // "skip": the alert goes out in the author's language only (the other text left out, on purpose).
  | { kind: "broadcast"; choice: "send" | "cancel" | "skip" }
  | { kind: "tools-list" }
  | { kind: "tools-site"; siteId: string }
  | { kind: "tools-stock"; siteId: string; materialId: string; out: boolean }
  | { kind: "tools-close-today"; siteId: string }
  | { kind: "tools-close-now"; siteId: string }
  | { kind: "tools-reset-today"; siteId: string }
  | { kind: "tools-input"; siteId: string; input: ToolsInput }
  | { kind: "tools-note-remove"; siteId: string }
  | { kind: "tools-undo"; changeId: number }
  // "✅ Still true": the site's information checked today.
  | { kind: "tools-verify"; siteId: string }
  // After a closure: offer its alert. day: the closed day (yyyy-mm-dd), or null for "closed now".
  | { kind: "tools-alert"; siteId: string; day: string | null }
  // Part 10: a coordinator edits what the file says about a site: the menu, then one field's dialogue.
  | { kind: "tools-edit"; siteId: string }
  | { kind: "tools-edit-field"; siteId: string; field: EditField }
  // The site editor's own buttons, read only inside its dialogue (arg: a day 0-6, a time HHMM, a material's
  // index). token: the dialogue's own, so a button left from an earlier one cannot act on this one.
  | { kind: "site-edit"; token: string; verb: SiteEditVerb; arg?: number }
  // Part 3: peer helpers and referral.
  | { kind: "peer-focus"; requestId: string }
  | { kind: "peer-withdraw"; requestId: string }
  | { kind: "refer-pick"; requestId: string }
  | { kind: "refer-to"; requestId: string; organisationId: string }
  | { kind: "refer-answer"; referralId: number; yes: boolean }
  // /rappel: how often, which day and at what time a coordinator hears about their old sites.
  | { kind: "reminder-every"; everyWeeks: (typeof REMINDER_EVERY_WEEKS)[number] }
  | { kind: "reminder-day"; weekday: number }
  | { kind: "reminder-time"; atMinute: number };

/** The directory's own buttons: a page of materials, a site, a pin, what is open, the supplies menu. */
export const DIRECTORY_BUTTONS: ReadonlySet<CallbackAction["kind"]> = new Set([
  "supplies-menu",
  "material",
  "site",
  "pin",
  "open",
]);

/** What a worker types after a site-panel button: a day to close, special hours, a note. */
export const TOOLS_INPUTS = { wtd: "close-day", wth: "hours", wtn: "note" } as const;
export type ToolsInput = (typeof TOOLS_INPUTS)[keyof typeof TOOLS_INPUTS];
const TOOLS_INPUT_PREFIX = { "close-day": "wtd", hours: "wth", note: "wtn" } as const;

/** The fields of a site a coordinator edits, by their letter in the button's data. */
export const EDIT_FIELDS = { h: "hours", p: "phone", n: "note", m: "materials" } as const;
export type EditField = (typeof EDIT_FIELDS)[keyof typeof EDIT_FIELDS];
const EDIT_FIELD_LETTER = { hours: "h", phone: "p", note: "n", materials: "m" } as const;

/**
 * The editor's verbs: x cancel, ok save, re start over, b build with buttons, d toggle a day, wk the
 * weekdays, all every day, n next, t a time, more another opening, fin that's all, ph holidays, m toggle
 * a material, rm remove. Verbs with an argument: d, t, m.
 */
export const SITE_EDIT_VERBS = [
  "x",
  "ok",
  "re",
  "b",
  "d",
  "wk",
  "all",
  "n",
  "t",
  "more",
  "fin",
  "ph",
  "m",
  "rm",
] as const;
export type SiteEditVerb = (typeof SITE_EDIT_VERBS)[number];
const SITE_EDIT_ARG_LIMIT: Partial<Record<SiteEditVerb, number>> = { d: 6, t: 2400, m: 99 };

// Request ids are 12 base64url characters (requests/queries.ts newRequestId).
const requestId = z.string().regex(/^[A-Za-z0-9_-]{12}$/);
const referralId = z.coerce.number().int().min(1).max(2_000_000_000);

export const ON_CALL_CHOICES = ["on", "off", "4h", "morning"] as const;
export type OnCallChoice = (typeof ON_CALL_CHOICES)[number];

/** The times /rappel offers, in minutes after midnight: a button with any other is stale. */
export const REMINDER_MINUTES = [8 * 60, 10 * 60, 13 * 60, 16 * 60] as const;

export const FORGET_STEPS = ["yes", "no", "wipe", "keep"] as const;
export type ForgetStep = (typeof FORGET_STEPS)[number];

export const callbackData = {
  suppliesMenu: () => "sup",
  material: (materialId: string, from = 0) => (from > 0 ? `mat:${materialId}:${from}` : `mat:${materialId}`),
  site: (siteId: string) => `site:${siteId}`,
  pin: (siteId: string) => `pin:${siteId}`,
  open: (from: number) => `open:${from}`,
  language: (choice: "fr" | "en" | "auto") => `lang:${choice}`,
  onCall: (choice: OnCallChoice) => `oc:${choice}`,
  forget: (step: ForgetStep) => `fg:${step}`,
  alertSubscribe: (placeId: string | null) => (placeId === null ? "al:all" : `al:p:${placeId}`),
  alertStop: () => "al:stop",
  // Removing says so in the data: a redelivered tap or an old keyboard cannot flip a choice back.
  alertUnsubscribe: (placeId: string) => `al:x:${placeId}`,
  broadcastArea: (placeId: string | null) => (placeId === null ? "bc:all" : `bc:p:${placeId}`),
  broadcast: (choice: "send" | "cancel" | "skip") => `bc:${choice}`,
  toolsList: () => "wtl",
  toolsSite: (siteId: string) => `wtp:${siteId}`,
  toolsStock: (siteId: string, materialId: string, out: boolean) =>
    `${out ? "wto" : "wti"}:${siteId}:${materialId}`,
  toolsCloseToday: (siteId: string) => `wtc:${siteId}`,
  toolsCloseNow: (siteId: string) => `wte:${siteId}`,
  toolsResetToday: (siteId: string) => `wtr:${siteId}`,
  toolsInput: (siteId: string, input: ToolsInput) => `${TOOLS_INPUT_PREFIX[input]}:${siteId}`,
  toolsNoteRemove: (siteId: string) => `wtx:${siteId}`,
  toolsUndo: (changeId: number) => `wtu:${changeId}`,
  toolsVerify: (siteId: string) => `wtv:${siteId}`,
  toolsAlert: (siteId: string, day: string | null) => `wta:${siteId}:${day ?? "now"}`,
  toolsEdit: (siteId: string) => `wed:${siteId}`,
  toolsEditField: (siteId: string, field: EditField) => `wef:${siteId}:${EDIT_FIELD_LETTER[field]}`,
  siteEdit: (token: string, verb: SiteEditVerb, arg?: number) =>
    arg === undefined ? `se:${token}:${verb}` : `se:${token}:${verb}:${arg}`,
  peerFocus: (requestId: string) => `pr:focus:${requestId}`,
  peerWithdraw: (requestId: string) => `pr:wd:${requestId}`,
  referPick: (requestId: string) => `rf:pick:${requestId}`,
  referTo: (requestId: string, organisationId: string) => `rf:to:${requestId}:${organisationId}`,
  referAnswer: (referralId: number, yes: boolean) => `rf:${yes ? "yes" : "no"}:${referralId}`,
  reminderEvery: (everyWeeks: number) => `rm:w:${everyWeeks}`,
  reminderDay: (weekday: number) => `rm:d:${weekday}`,
  reminderTime: (atMinute: number) => `rm:t:${atMinute}`,
};

export function parseCallbackData(data: string | undefined): CallbackAction | undefined {
  if (!data || data.length > 64) return undefined;
  const [prefix, a, b, ...rest] = data.split(":");
  // "se:<token>:<verb>:<n>" has four parts too.
  if (prefix === "se") return rest.length <= 1 ? parseSiteEdit(a, b, rest[0]) : undefined;
  // "rf:to:<request>:<organisation>" is the other four-part payload.
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
    case "fg":
      return FORGET_STEPS.includes(a as ForgetStep) && b === undefined
        ? { kind: "forget", step: a as ForgetStep }
        : undefined;
    case "al":
    case "bc":
      return parseAlertData(prefix, a, b);
    case "wtl":
      return a === undefined ? { kind: "tools-list" } : undefined;
    case "wta": {
      const siteId = slug.safeParse(a);
      if (!siteId.success || b === undefined) return undefined;
      if (b === "now") return { kind: "tools-alert", siteId: siteId.data, day: null };
      return /^\d{4}-\d{2}-\d{2}$/.test(b) ? { kind: "tools-alert", siteId: siteId.data, day: b } : undefined;
    }
    case "wtp":
    case "wtv":
    case "wtc":
    case "wte":
    case "wtr":
    case "wtx": {
      const siteId = slug.safeParse(a);
      if (!siteId.success || b !== undefined) return undefined;
      const kinds = {
        wtp: "tools-site",
        wtv: "tools-verify",
        wtc: "tools-close-today",
        wte: "tools-close-now",
        wtr: "tools-reset-today",
        wtx: "tools-note-remove",
      } as const;
      const kind = kinds[prefix];
      return { kind, siteId: siteId.data };
    }
    case "wto":
    case "wti": {
      const siteId = slug.safeParse(a);
      const materialId = slug.safeParse(b);
      return siteId.success && materialId.success
        ? { kind: "tools-stock", siteId: siteId.data, materialId: materialId.data, out: prefix === "wto" }
        : undefined;
    }
    case "wtd":
    case "wth":
    case "wtn": {
      const siteId = slug.safeParse(a);
      if (!siteId.success || b !== undefined) return undefined;
      return { kind: "tools-input", siteId: siteId.data, input: TOOLS_INPUTS[prefix] };
    }
    case "wed": {
      const siteId = slug.safeParse(a);
      return siteId.success && b === undefined ? { kind: "tools-edit", siteId: siteId.data } : undefined;
    }
    case "wef": {
      const siteId = slug.safeParse(a);
      const field =
        b !== undefined && Object.hasOwn(EDIT_FIELDS, b)
          ? EDIT_FIELDS[b as keyof typeof EDIT_FIELDS]
          : undefined;
      return siteId.success && field ? { kind: "tools-edit-field", siteId: siteId.data, field } : undefined;
    }
    case "wtu": {
      const changeId = z.coerce.number().int().min(1).max(2_000_000_000).safeParse(a);
      return changeId.success && b === undefined && /^\d+$/.test(a ?? "")
        ? { kind: "tools-undo", changeId: changeId.data }
        : undefined;
    }
    case "pr": {
      const id = requestId.safeParse(b);
      if (!id.success || (a !== "focus" && a !== "wd")) return undefined;
      return { kind: a === "focus" ? "peer-focus" : "peer-withdraw", requestId: id.data };
    }
    case "rf":
      return parseReferral(a, b);
    case "rm":
      return parseReminder(a, b);
    default:
      return undefined;
  }
}

/** al:all | al:p:<place> | al:stop, and bc:all | bc:p:<place> | bc:send | bc:cancel. */
function parseAlertData(prefix: "al" | "bc", a: string | undefined, b: string | undefined) {
  if (a === "x" && prefix === "al") {
    const placeId = slug.safeParse(b);
    return placeId.success ? ({ kind: "alert-unsubscribe", placeId: placeId.data } as const) : undefined;
  }
  if (a === "p") {
    const placeId = slug.safeParse(b);
    if (!placeId.success) return undefined;
    return prefix === "al"
      ? ({ kind: "alert-subscribe", placeId: placeId.data } as const)
      : ({ kind: "broadcast-area", placeId: placeId.data } as const);
  }
  if (b !== undefined) return undefined;
  if (a === "all")
    return prefix === "al"
      ? ({ kind: "alert-subscribe", placeId: null } as const)
      : ({ kind: "broadcast-area", placeId: null } as const);
  if (prefix === "al") return a === "stop" ? ({ kind: "alert-stop" } as const) : undefined;
  return a === "send" || a === "cancel" || a === "skip"
    ? ({ kind: "broadcast", choice: a } as const)
    : undefined;
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

/** A dialogue's token: a few letters and digits, drawn when it starts. */
export const SITE_EDIT_TOKEN = /^[a-z0-9]{4,8}$/;

/** se:<token>:<verb> or se:<token>:<verb>:<n>, the argument only for the verbs that take one, within its range. */
function parseSiteEdit(
  token: string | undefined,
  a: string | undefined,
  b: string | undefined,
): CallbackAction | undefined {
  const verb = SITE_EDIT_VERBS.find((v) => v === a);
  if (!verb || !token || !SITE_EDIT_TOKEN.test(token)) return undefined;
  const limit = SITE_EDIT_ARG_LIMIT[verb];
  if (limit === undefined) return b === undefined ? { kind: "site-edit", token, verb } : undefined;
  if (b === undefined || !/^\d{1,4}$/.test(b) || Number(b) > limit) return undefined;
  return { kind: "site-edit", token, verb, arg: Number(b) };
}

/** rm:w:<0|1|2|4> | rm:d:<1-7> | rm:t:<minutes>, each value one the screen offers. */
function parseReminder(a: string | undefined, b: string | undefined): CallbackAction | undefined {
  if (!b || !/^\d{1,4}$/.test(b)) return undefined;
  const value = Number(b);
  if (a === "w")
    return REMINDER_EVERY_WEEKS.some((n) => n === value)
      ? { kind: "reminder-every", everyWeeks: value as (typeof REMINDER_EVERY_WEEKS)[number] }
      : undefined;
  if (a === "d") return value >= 1 && value <= 7 ? { kind: "reminder-day", weekday: value } : undefined;
  if (a === "t")
    return REMINDER_MINUTES.some((m) => m === value) ? { kind: "reminder-time", atMinute: value } : undefined;
  return undefined;
}
