import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * One schema for PGlite and PostgreSQL. The directory tables are replaced as a whole by an import;
 * `directory_info.version` moves on every change so each process knows when its cached copy is stale.
 * Nothing here identifies a person: the only per-person row is a language choice under a keyed pseudonym.
 */

/**
 * A CHECK constraint that the column holds one of the code's own constants: the database then refuses a
 * status, role, kind or method that the code does not know, whoever writes it. The values are words the
 * code defines (checked below), so they can be written into the statement as literals.
 */
function oneOf(name: string, column: AnyPgColumn, values: readonly string[]) {
  for (const value of values)
    if (!/^[A-Za-z_']+$/.test(value)) throw new Error(`unexpected constant ${value} for ${name}`);
  // A quote inside a constant ("l'") is doubled, as SQL writes it.
  const literals = values.map((value) => `'${value.replaceAll("'", "''")}'`);
  return check(name, sql`${column} in (${sql.raw(literals.join(", "))})`);
}

export const LOCALES = ["fr", "en"] as const;
export const PLACE_KINDS = ["neighbourhood", "metro"] as const;

export type Bilingual = { fr: string; en: string };
export type MobileStop = { name: Bilingual; lat: number; lon: number; when?: Bilingual };

export const directoryInfo = pgTable("directory_info", {
  id: integer().primaryKey().default(1),
  name: text().notNull(),
  isExample: boolean().notNull(),
  timezone: text().notNull(),
  countryCode: text().notNull(),
  region: text().notNull(),
  emergencyNumber: text().notNull(),
  // meta.stale_after_days: a site checked longer ago than this shows its age, and is in the reminder.
  staleAfterDays: integer().notNull().default(30),
  version: integer().notNull().default(0),
  // Part 7: the directory file's vocabulary section (emergency, help, greeting words, place words,
  // substances), read with the rest of the directory when its version moves.
  vocabulary: jsonb().$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  importedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const chequeDays = pgTable("cheque_days", {
  day: date().primaryKey(),
});

export const materials = pgTable("materials", {
  id: text().primaryKey(),
  position: integer().notNull(),
  labelFr: text().notNull(),
  labelEn: text().notNull(),
  words: text().array().notNull(),
});

export const places = pgTable(
  "places",
  {
    id: text().primaryKey(),
    position: integer().notNull(),
    kind: text({ enum: PLACE_KINDS }).notNull(),
    nameFr: text().notNull(),
    nameEn: text().notNull(),
    lat: doublePrecision().notNull(),
    lon: doublePrecision().notNull(),
  },
  (table) => [oneOf("places_kind_check", table.kind, PLACE_KINDS)],
);

export const FRENCH_ARTICLES = ["le", "la", "l'", "les"] as const;

export const organisations = pgTable(
  "organisations",
  {
    id: text().primaryKey(),
    nameFr: text().notNull(),
    nameEn: text().notNull(),
    /** The article French puts before a name written without one (src/text/french-name.ts). */
    articleFr: text({ enum: FRENCH_ARTICLES }),
    phone: text(),
    website: text(),
    /** The places (ids) whose requests it serves; null: its sites' neighbourhoods (see directory/serves.ts). */
    serves: text().array(),
    /** Its area's requests wait for it rather than go to other organisations when nobody is on call. */
    keepsRequests: boolean().notNull().default(false),
  },
  (table) => [oneOf("organisations_article_fr_check", table.articleFr, FRENCH_ARTICLES)],
);

export const sites = pgTable(
  "sites",
  {
    id: text().primaryKey(),
    organisationId: text()
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    type: text().notNull(),
    nameFr: text().notNull(),
    nameEn: text().notNull(),
    articleFr: text({ enum: FRENCH_ARTICLES }),
    address: text(),
    neighbourhood: text(),
    lat: doublePrecision(),
    lon: doublePrecision(),
    stops: jsonb().$type<MobileStop[]>().notNull().default([]),
    phone: text(),
    hours: text().notNull(),
    chequeDayHours: text(),
    languages: text().array().notNull(),
    services: jsonb().$type<Bilingual[]>().notNull().default([]),
    noteFr: text(),
    noteEn: text(),
    isCrisisLine: boolean().notNull().default(false),
    verifiedOn: date().notNull(),
    // Part 10: what the last import wrote for the fields coordinators edit in the bot (directory/site-edits.ts).
    // A field that differs from it was edited in the bot; the next import keeps that edit unless the file
    // changed the field too. Null for rows written before this column: nothing counts as edited.
    fileBase: jsonb().$type<Record<string, string>>(),
  },
  (table) => [
    index().on(table.organisationId),
    oneOf("sites_article_fr_check", table.articleFr, FRENCH_ARTICLES),
  ],
);

export const siteMaterials = pgTable(
  "site_materials",
  {
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    materialId: text()
      .notNull()
      .references(() => materials.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.materialId] }), index().on(table.materialId)],
);

export const siteSpecialDates = pgTable(
  "site_special_dates",
  {
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    day: date().notNull(),
    // OSM time ranges for that day ("10:00-14:00") or "off".
    hours: text().notNull(),
    noteFr: text(),
    noteEn: text(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.day] })],
);

/** A worker's "naloxone out at this site"; kept across imports while the site still lists the material. */
export const stockOuts = pgTable(
  "stock_outs",
  {
    siteId: text().notNull(),
    materialId: text().notNull(),
    since: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.materialId] })],
);

/** The only thing kept about someone who only looks things up: the language they picked. */
export const languageChoices = pgTable(
  "language_choices",
  {
    pseudonym: text().primaryKey(),
    locale: text({ enum: LOCALES }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [oneOf("language_choices_locale_check", table.locale, LOCALES)],
);

// ---------------------------------------------------------------------------------------------------
// Part 2: members, requests, relay, delivery. People who ask for help never register: a request knows
// them only by a keyed pseudonym and, while it is open, their chat id encrypted with AES-256-GCM.

export const ROLES = ["worker", "peer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Workers, peer helpers and admins. Their Telegram id is a keyed pseudonym; their chat id is encrypted. */
export const members = pgTable(
  "members",
  {
    id: serial().primaryKey(),
    organisationId: text()
      .notNull()
      .references(() => organisations.id, { onDelete: "restrict" }),
    role: text({ enum: ROLES }).notNull(),
    alias: text().notNull(),
    pseudonym: text().notNull(),
    chatIdEnc: text().notNull(),
    locale: text({ enum: LOCALES }).notNull(),
    // On call while onCallSince is set and onCallUntil is null or in the future.
    onCallSince: timestamp({ withTimezone: true }),
    onCallUntil: timestamp({ withTimezone: true }),
    unreachableSince: timestamp({ withTimezone: true }),
    // A weekly shift in OSM opening_hours syntax ("Mo-Fr 18:00-02:00"): on call while it runs.
    shiftHours: text(),
    // "End of shift" tapped during a shift: the shift counts again after this.
    shiftPausedUntil: timestamp({ withTimezone: true }),
    // The request a worker's or peer's plain messages go to: set only by an explicit act (a reply, a
    // request's 💬 button, the answer to "which request?"), never by a claim or someone else's message.
    focusRequestId: text(),
    // When the focus was chosen: holding several requests, it counts only if chosen after the newest
    // one became theirs (src/features/requests/addressing.ts).
    focusSetAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (table) => [
    uniqueIndex("members_active_pseudonym").on(table.pseudonym).where(sql`${table.revokedAt} is null`),
    index().on(table.organisationId),
    oneOf("members_role_check", table.role, ROLES),
    oneOf("members_locale_check", table.locale, LOCALES),
  ],
);

/** Single-use invitations; only a hash of the code is kept, so a database dump cannot be used to join. */
export const invitations = pgTable(
  "invitations",
  {
    codeHash: text().primaryKey(),
    organisationId: text()
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    role: text({ enum: ROLES }).notNull(),
    createdByMemberId: integer().references(() => members.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    redeemedAt: timestamp({ withTimezone: true }),
    redeemedByMemberId: integer().references(() => members.id, { onDelete: "set null" }),
  },
  (table) => [oneOf("invitations_role_check", table.role, ROLES)],
);

/**
 * When a coordinator hears about their sites' old information (/rappel): a member with no row has the
 * defaults (weekly, Monday 10:00 on the directory's clock). `handledUntil`: the latest moment already
 * dealt with (a reminder sent, nothing old to say, or a change of settings), so a moment is taken once
 * whatever the instances; `sentAt`: the last reminder that went out, which the frequency and the
 * once-a-week cap count from. Holds no personal data: the member row says who.
 */
export const REMINDER_EVERY_WEEKS = [0, 1, 2, 4] as const;
export const staleReminders = pgTable(
  "stale_reminders",
  {
    memberId: integer()
      .primaryKey()
      .references(() => members.id, { onDelete: "cascade" }),
    // 0: never.
    everyWeeks: integer().notNull().default(1),
    // ISO weekday: 1 Monday … 7 Sunday.
    weekday: integer().notNull().default(1),
    // Minutes after midnight on the directory's wall clock.
    atMinute: integer().notNull().default(600),
    handledUntil: timestamp({ withTimezone: true }).notNull(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (table) => [
    check(
      "stale_reminders_every_weeks_check",
      sql`${table.everyWeeks} in (${sql.raw(REMINDER_EVERY_WEEKS.join(", "))})`,
    ),
    check("stale_reminders_weekday_check", sql`${table.weekday} between 1 and 7`),
    check("stale_reminders_at_minute_check", sql`${table.atMinute} between 0 and 1439`),
  ],
);

/** State of grammY conversations, written with compare-and-swap on `version`; swept by `updatedAt`. */
export const conversationState = pgTable("conversation_state", {
  key: text().primaryKey(),
  state: jsonb().notNull(),
  version: integer().notNull().default(0),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const OUTBOX_RECIPIENT_KINDS = ["member", "request", "group", "subscriber"] as const;
/** The Bot API methods the outbox may call. */
export const OUTBOX_METHODS = [
  "sendMessage",
  "copyMessage",
  "sendPhoto",
  "sendVoice",
  "editMessageText",
  "editMessageReplyMarkup",
  // A member revoked from the command line loses their team menu (src/bot/commands.ts) once the bot runs.
  "deleteMyCommands",
] as const;
export const OUTBOX_STATUSES = ["pending", "sent", "failed", "unreachable"] as const;

/**
 * Messages waiting to be sent. Written in the same transaction as the change that causes them, with a
 * dedupe key, and delivered by a loop that keeps each recipient's order. The recipient is a member or a
 * request, resolved to a chat id only at send time.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    dedupeKey: text().notNull().unique(),
    recipientKind: text({ enum: OUTBOX_RECIPIENT_KINDS }).notNull(),
    recipientId: text().notNull(),
    method: text({ enum: OUTBOX_METHODS }).notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    // What Telegram answered, for replies that must point at it (a worker replying to a notification).
    sentMessageId: integer(),
    lastError: text(),
    // Part 3: the alert a message belongs to, so its author hears how many received it.
    alertId: integer(),
  },
  (table) => [
    index().on(table.status, table.nextAttemptAt),
    index().on(table.recipientKind, table.recipientId, table.id),
    index().on(table.alertId, table.status),
    // Part 5 (performance): each recipient's oldest pending row in one probe (the delivery's claim).
    index("outbox_pending_recipient")
      .on(table.recipientKind, table.recipientId, table.id)
      .where(sql`status = 'pending'`),
    oneOf("outbox_recipient_kind_check", table.recipientKind, OUTBOX_RECIPIENT_KINDS),
    oneOf("outbox_method_check", table.method, OUTBOX_METHODS),
    oneOf("outbox_status_check", table.status, OUTBOX_STATUSES),
  ],
);

export const REQUEST_CATEGORIES = [
  "material",
  "health",
  "housing",
  "treatment",
  "testing",
  "legal",
  "food",
  "talk",
  "other",
  // Part 3 (peers): a peer helper's "I need backup"; never offered in the request flow.
  "backup",
] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];
export const ANSWER_MODES = ["chat", "meet", "come_by", "none"] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];
export const REQUEST_STATUSES = ["open", "claimed", "closed", "withdrawn", "expired"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * A request for help. The person is a keyed pseudonym; the chat id needed to answer them is sealed and
 * erased when the request ends. Workers see the nickname (two words, drawn per request), never who it is.
 */
export const requests = pgTable(
  "requests",
  {
    id: text().primaryKey(),
    organisationId: text()
      .notNull()
      .references(() => organisations.id, { onDelete: "restrict" }),
    personPseudonym: text().notNull(),
    chatIdEnc: text(),
    nicknameAnimal: text().notNull(),
    nicknameColour: text().notNull(),
    locale: text({ enum: LOCALES }).notNull(),
    category: text({ enum: REQUEST_CATEGORIES }).notNull(),
    answerMode: text({ enum: ANSWER_MODES }).notNull(),
    meetSiteId: text(),
    areaPlaceId: text(),
    status: text({ enum: REQUEST_STATUSES }).notNull().default("open"),
    claimedByMemberId: integer().references(() => members.id, { onDelete: "set null" }),
    outcome: text(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    deliveredAt: timestamp({ withTimezone: true }),
    claimedAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
    escalationLevel: integer().notNull().default(0),
    // The Telegram update that sent it: a redelivered "send" finds its request instead of making another.
    sourceUpdateId: integer(),
    // Part 3 (peers): a request a peer helper opened for someone with them. Replies go to the peer's
    // chat (chatIdEnc); the person has no pseudonym of their own. The alias is what workers see ("via Sam").
    relayedByMemberId: integer().references(() => members.id, { onDelete: "set null" }),
    relayedVia: text(),
    // The person was told, once, that this request had ended when they next wrote.
    endToldAt: timestamp({ withTimezone: true }),
  },
  (table) => [
    index().on(table.personPseudonym),
    index().on(table.status, table.organisationId),
    uniqueIndex("requests_source_update").on(table.sourceUpdateId),
    oneOf("requests_locale_check", table.locale, LOCALES),
    oneOf("requests_category_check", table.category, REQUEST_CATEGORIES),
    oneOf("requests_answer_mode_check", table.answerMode, ANSWER_MODES),
    oneOf("requests_status_check", table.status, REQUEST_STATUSES),
  ],
);

export const MESSAGE_AUTHORS = ["person", "worker", "system"] as const;

/** What was said in a request, both ways, sealed. Deleted with the request by the retention sweep. */
export const requestMessages = pgTable(
  "request_messages",
  {
    id: serial().primaryKey(),
    requestId: text()
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    author: text({ enum: MESSAGE_AUTHORS }).notNull(),
    memberId: integer().references(() => members.id, { onDelete: "set null" }),
    bodyEnc: text().notNull(),
    // A photo or voice note (Telegram's file id and caption, sealed): the worker who claims the request
    // later receives it, not only its 🎤/📷 mark in the history. Null for words.
    mediaEnc: text(),
    // Telegram's update id for messages from the person: a redelivered update is not relayed twice.
    sourceUpdateId: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [
    index().on(table.requestId),
    uniqueIndex("request_messages_source_update").on(table.sourceUpdateId),
    oneOf("request_messages_author_check", table.author, MESSAGE_AUTHORS),
  ],
);

/** Which worker message shows which request, so a worker can answer by replying to it. */
export const requestNotices = pgTable(
  "request_notices",
  {
    requestId: text()
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    memberId: integer()
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    messageId: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.memberId, table.messageId] }), index().on(table.requestId)],
);

/**
 * A worker's or peer's words written while they hold several requests, kept sealed until they say which
 * request they are for (a restart loses nothing); deleted once sent, and by the hourly sweep after a day.
 */
export const pendingWords = pgTable(
  "pending_words",
  {
    id: serial().primaryKey(),
    memberId: integer()
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    // The update they came in: a redelivered update asks once.
    sourceUpdateId: integer().notNull(),
    // The message in the member's chat, so that it too can be answered by a reply once it is sent.
    messageId: integer().notNull(),
    contentEnc: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex("pending_words_source_update").on(table.sourceUpdateId),
    index().on(table.memberId),
  ],
);

/** A team's Telegram group, registered by a coordinator with /equipe: new requests are announced there too. */
export const teamGroups = pgTable("team_groups", {
  organisationId: text()
    .primaryKey()
    .references(() => organisations.id, { onDelete: "cascade" }),
  chatIdEnc: text().notNull(),
  registeredAt: timestamp({ withTimezone: true }).notNull(),
});

/** The group message announcing a request, so it can say who took it. */
export const groupNotices = pgTable(
  "group_notices",
  {
    requestId: text()
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    organisationId: text().notNull(),
    messageId: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.requestId, table.organisationId, table.messageId] })],
);

// ---------------------------------------------------------------------------------------------------
// Part 3: alerts. People opt in to alerts (contaminated supply, a site closing) for a neighbourhood or
// for all of Montreal. A subscriber is a keyed pseudonym of its own purpose (it cannot be matched with
// a request's) and a sealed chat id; stopping deletes the rows.

export const alertSubscribers = pgTable(
  "alert_subscribers",
  {
    id: serial().primaryKey(),
    pseudonym: text().notNull().unique(),
    chatIdEnc: text().notNull(),
    locale: text({ enum: LOCALES }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [oneOf("alert_subscribers_locale_check", table.locale, LOCALES)],
);

/** What a subscriber gets alerts for: a neighbourhood's place id, or null for all of Montreal. */
export const alertSubscriptions = pgTable(
  "alert_subscriptions",
  {
    subscriberId: integer()
      .notNull()
      .references(() => alertSubscribers.id, { onDelete: "cascade" }),
    placeId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [
    unique("alert_subscriptions_area").on(table.subscriberId, table.placeId).nullsNotDistinct(),
    index().on(table.placeId),
  ],
);

/** An alert as written by a worker; `token` makes a second "send" of the same draft a no-op. */
export const alerts = pgTable("alerts", {
  id: serial().primaryKey(),
  token: text().notNull().unique(),
  organisationId: text()
    .notNull()
    .references(() => organisations.id, { onDelete: "restrict" }),
  authorMemberId: integer().references(() => members.id, { onDelete: "set null" }),
  // A neighbourhood's place id, or null for all of Montreal.
  placeId: text(),
  textFr: text().notNull(),
  textEn: text().notNull(),
  recipientCount: integer().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull(),
  // Set when the author was sent the report: every message of the alert was settled.
  reportedAt: timestamp({ withTimezone: true }),
});

// Part 3: worker tools. What workers change from the street lives apart from the imported directory, so
// an import keeps it (for sites that still exist). No foreign key to `sites`: an import deletes and
// re-inserts them, which would cascade. Nothing here is about the people served.

/** A worker's closure ("off") or special hours ("10:00-14:00") for one day; wins over the file's. */
export const siteDayOverrides = pgTable(
  "site_day_overrides",
  {
    siteId: text().notNull(),
    day: date().notNull(),
    hours: text().notNull(),
    setAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.day] })],
);

/** A short street note on a site, in both languages; hidden once it expires. */
export const siteNotes = pgTable("site_notes", {
  siteId: text().primaryKey(),
  textFr: text().notNull(),
  textEn: text().notNull(),
  postedAt: timestamp({ withTimezone: true }).notNull(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
});

export const DIRECTORY_CHANGE_KINDS = [
  "stock_out",
  "stock_back",
  "day_closed",
  "day_hours",
  "day_reset",
  "note_posted",
  "note_removed",
  // Part 10: a coordinator's edit of what the file says (regular hours, phone, the site's note, materials).
  "site_hours",
  "site_phone",
  "site_note",
  "site_materials",
] as const;
export type DirectoryChangeKind = (typeof DIRECTORY_CHANGE_KINDS)[number];

/**
 * The audit of workers' directory changes: who (member id and alias; staff, not people served), when,
 * where, and the state before and after, enough to undo. `target` names the thing changed at the site
 * ("stock:naloxone", "day:2026-12-03", "note") so a newer change to it blocks an older undo.
 */
export const directoryChanges = pgTable(
  "directory_changes",
  {
    id: serial().primaryKey(),
    at: timestamp({ withTimezone: true }).notNull(),
    memberId: integer().references(() => members.id, { onDelete: "set null" }),
    memberAlias: text().notNull(),
    organisationId: text().notNull(),
    siteId: text().notNull(),
    kind: text({ enum: DIRECTORY_CHANGE_KINDS }).notNull(),
    target: text().notNull(),
    before: jsonb().$type<Record<string, unknown> | null>(),
    after: jsonb().$type<Record<string, unknown> | null>(),
    undoneAt: timestamp({ withTimezone: true }),
    undoneByMemberId: integer().references(() => members.id, { onDelete: "set null" }),
  },
  (table) => [
    index().on(table.organisationId, table.at),
    index().on(table.siteId, table.target),
    oneOf("directory_changes_kind_check", table.kind, DIRECTORY_CHANGE_KINDS),
  ],
);

// Part 3: referral. A worker holding a request asks the person whether another organisation may take it
// over; the request moves only on "yes". One row per question, kept with the request (deleted with it).

export const REFERRAL_STATUSES = ["asked", "accepted", "declined", "stale"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const referrals = pgTable(
  "referrals",
  {
    id: serial().primaryKey(),
    requestId: text()
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    fromOrganisationId: text().notNull(),
    toOrganisationId: text().notNull(),
    fromMemberId: integer().references(() => members.id, { onDelete: "set null" }),
    status: text({ enum: REFERRAL_STATUSES }).notNull().default("asked"),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    answeredAt: timestamp({ withTimezone: true }),
  },
  (table) => [
    index().on(table.requestId),
    // One question at a time per request: asking twice finds the first.
    uniqueIndex("referrals_one_asked").on(table.requestId).where(sql`${table.status} = 'asked'`),
    oneOf("referrals_status_check", table.status, REFERRAL_STATUSES),
  ],
);

// Part 3: stats. Anonymous counters for coordinators: one row per (day, metric, key, organisation),
// never one per person or per request, so they outlive the privacy purges and can name nobody.

/**
 * `day` is the Montreal date; `organisationId` is "" for what belongs to no team (directory lookups).
 * Incremented by upsert; the day relative to the cheque day is worked out when read, from cheque_days.
 */
export const statCounters = pgTable(
  "stat_counters",
  {
    day: date().notNull(),
    metric: text().notNull(),
    key: text().notNull(),
    organisationId: text().notNull().default(""),
    value: integer().notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.day, table.metric, table.key, table.organisationId] })],
);

// Part 11: several instances. Which updates were handled, so that an update delivered to two instances
// (a load balancer's retry, Telegram's redelivery) has its effects and its messages once.

/**
 * One row per update an instance took in hand (src/bot/update-claim.ts): `holder` names the instance,
 * `leaseUntil` frees it for another should that instance die with it in hand, `doneAt` says it was
 * handled, and while it is in hand whose it is (a pseudonym, emptied when done). Swept after two days.
 */
export const updateClaims = pgTable(
  "update_claims",
  {
    updateId: bigint({ mode: "number" }).primaryKey(),
    holder: text().notNull(),
    leaseUntil: timestamp({ withTimezone: true }).notNull(),
    doneAt: timestamp({ withTimezone: true }),
    /**
     * While in hand: the sender's pseudonym, so that another instance holds back their next update
     * until this one is done (their order across instances). Emptied when done.
     */
    person: text(),
  },
  (table) => [
    index("update_claims_lease").on(table.leaseUntil),
    index("update_claims_in_hand").on(table.person).where(sql`${table.doneAt} is null`),
  ],
);
