import { and, asc, desc, eq, gt, inArray, isNull, notInArray, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/executor";
import {
  type Bilingual,
  type DirectoryChangeKind,
  directoryChanges,
  directoryInfo,
  materials,
  siteDayOverrides,
  siteMaterials,
  siteNotes,
  sites,
  stockOuts,
} from "../../db/schema";
import { canonicalFields, type EditableField } from "../../directory/site-edits";

/**
 * Workers' changes to the directory, each in one transaction with its audit row and a version bump (so
 * every process's catalog reloads). A change stores the state of the thing before and after, so undo
 * puts back exactly what was there, and refuses when something newer changed the same thing.
 */

export type Actor = { memberId: number; alias: string; organisationId: string };

export type ChangeRequest =
  | { kind: "stock_out" | "stock_back"; siteId: string; materialId: string }
  | { kind: "day_closed" | "day_reset"; siteId: string; day: string }
  | { kind: "day_hours"; siteId: string; day: string; hours: string }
  | { kind: "note_posted"; siteId: string; text: Bilingual; expiresAt: Date }
  | { kind: "note_removed"; siteId: string }
  // Part 10: a coordinator's edit of what the file says. Materials in the directory's order.
  | { kind: "site_hours"; siteId: string; hours: string }
  | { kind: "site_phone"; siteId: string; phone: string | null }
  | { kind: "site_note"; siteId: string; note: Bilingual | null }
  | { kind: "site_materials"; siteId: string; materials: string[] };

/** The edits of what the file says; each also marks the site checked today. */
export const SITE_EDIT_KINDS = ["site_hours", "site_phone", "site_note", "site_materials"] as const;
const FIELD_OF = {
  site_hours: "hours",
  site_phone: "phone",
  site_note: "note",
  site_materials: "materials",
} as const satisfies Record<(typeof SITE_EDIT_KINDS)[number], EditableField>;

/** The state of one changed thing as stored in the audit: plain JSON, null when absent. */
export type State = Record<string, string> | null;

export type ChangeResult = { kind: "done"; changeId: number; after: State } | { kind: "unchanged" };

export function targetOf(change: ChangeRequest): string {
  switch (change.kind) {
    case "stock_out":
    case "stock_back":
      return `stock:${change.materialId}`;
    case "day_closed":
    case "day_hours":
    case "day_reset":
      return `day:${change.day}`;
    case "note_posted":
    case "note_removed":
      return "note";
    case "site_hours":
    case "site_phone":
    case "site_note":
    case "site_materials":
      return `field:${FIELD_OF[change.kind]}`;
  }
}

function afterOf(change: ChangeRequest, before: State, now: Date): State {
  switch (change.kind) {
    case "stock_out":
      // Already out: keep the time it ran out, which is what people are told.
      return before ?? { since: now.toISOString() };
    case "stock_back":
      return null;
    case "day_closed":
      return { hours: "off" };
    case "day_hours":
      return { hours: change.hours };
    case "day_reset":
      return null;
    case "note_posted":
      return {
        fr: change.text.fr,
        en: change.text.en,
        postedAt: now.toISOString(),
        expiresAt: change.expiresAt.toISOString(),
      };
    case "note_removed":
      return null;
    case "site_hours":
      return { hours: change.hours };
    case "site_phone":
      return change.phone ? { phone: change.phone } : null;
    case "site_note":
      return change.note ? { fr: change.note.fr, en: change.note.en } : null;
    case "site_materials":
      return { materials: change.materials.join(",") };
  }
}

async function readState(tx: Executor, siteId: string, target: string): Promise<State> {
  if (target.startsWith("field:")) return readField(tx, siteId, target.slice(6) as EditableField);
  if (target.startsWith("stock:")) {
    const [row] = await tx
      .select()
      .from(stockOuts)
      .where(and(eq(stockOuts.siteId, siteId), eq(stockOuts.materialId, target.slice(6))));
    return row ? { since: row.since.toISOString() } : null;
  }
  if (target.startsWith("day:")) {
    const [row] = await tx
      .select()
      .from(siteDayOverrides)
      .where(and(eq(siteDayOverrides.siteId, siteId), eq(siteDayOverrides.day, target.slice(4))));
    return row ? { hours: row.hours } : null;
  }
  const [row] = await tx.select().from(siteNotes).where(eq(siteNotes.siteId, siteId));
  return row
    ? {
        fr: row.textFr,
        en: row.textEn,
        postedAt: row.postedAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
      }
    : null;
}

/**
 * A site imported before `file_base` existed has none, and the next import could not tell an edit from
 * the file's value: before its first edit, what it holds now (still the file's) becomes its base.
 */
async function keepFileBase(tx: Executor, siteId: string): Promise<void> {
  const [row] = await tx.select().from(sites).where(eq(sites.id, siteId));
  if (!row || row.fileBase) return;
  const listed = await readField(tx, siteId, "materials");
  const fileBase = canonicalFields({
    hours: row.hours,
    phone: row.phone,
    note: row.noteFr && row.noteEn ? { fr: row.noteFr, en: row.noteEn } : null,
    materials: listed?.materials ? listed.materials.split(",") : [],
  });
  await tx.update(sites).set({ fileBase }).where(eq(sites.id, siteId));
}

/** A field the file gives, as the audit stores it (see afterOf). */
async function readField(tx: Executor, siteId: string, field: EditableField): Promise<State> {
  if (field === "materials") {
    const rows = await tx
      .select({ id: siteMaterials.materialId })
      .from(siteMaterials)
      .innerJoin(materials, eq(materials.id, siteMaterials.materialId))
      .where(eq(siteMaterials.siteId, siteId))
      .orderBy(asc(materials.position));
    return { materials: rows.map((r) => r.id).join(",") };
  }
  const [row] = await tx.select().from(sites).where(eq(sites.id, siteId));
  if (!row) return null;
  if (field === "hours") return { hours: row.hours };
  if (field === "phone") return row.phone ? { phone: row.phone } : null;
  return row.noteFr && row.noteEn ? { fr: row.noteFr, en: row.noteEn } : null;
}

async function writeField(tx: Executor, siteId: string, field: EditableField, state: State) {
  if (field === "materials") {
    const wanted = state?.materials ? state.materials.split(",") : [];
    // An undo after an import may name a material the directory no longer lists: it cannot come back.
    const known = wanted.length
      ? (await tx.select({ id: materials.id }).from(materials).where(inArray(materials.id, wanted))).map(
          (m) => m.id,
        )
      : [];
    const listed = wanted.filter((id) => known.includes(id));
    await tx.delete(siteMaterials).where(eq(siteMaterials.siteId, siteId));
    if (listed.length)
      await tx.insert(siteMaterials).values(listed.map((materialId) => ({ siteId, materialId })));
    // A stock-out of a material the site no longer hands out would be shown for nothing.
    await tx
      .delete(stockOuts)
      .where(
        and(
          eq(stockOuts.siteId, siteId),
          listed.length ? notInArray(stockOuts.materialId, listed) : undefined,
        ),
      );
    return;
  }
  const set =
    field === "hours"
      ? { hours: state?.hours ?? "" }
      : field === "phone"
        ? { phone: state?.phone ?? null }
        : { noteFr: state?.fr ?? null, noteEn: state?.en ?? null };
  await tx.update(sites).set(set).where(eq(sites.id, siteId));
}

async function writeState(tx: Executor, siteId: string, target: string, state: State, now: Date) {
  if (target.startsWith("field:")) return writeField(tx, siteId, target.slice(6) as EditableField, state);
  if (target.startsWith("stock:")) {
    const materialId = target.slice(6);
    await tx.delete(stockOuts).where(and(eq(stockOuts.siteId, siteId), eq(stockOuts.materialId, materialId)));
    if (state?.since) await tx.insert(stockOuts).values({ siteId, materialId, since: new Date(state.since) });
    return;
  }
  if (target.startsWith("day:")) {
    const day = target.slice(4);
    await tx
      .delete(siteDayOverrides)
      .where(and(eq(siteDayOverrides.siteId, siteId), eq(siteDayOverrides.day, day)));
    if (state?.hours)
      await tx.insert(siteDayOverrides).values({ siteId, day, hours: state.hours, setAt: now });
    return;
  }
  await tx.delete(siteNotes).where(eq(siteNotes.siteId, siteId));
  if (state?.fr && state.en && state.postedAt && state.expiresAt)
    await tx.insert(siteNotes).values({
      siteId,
      textFr: state.fr,
      textEn: state.en,
      postedAt: new Date(state.postedAt),
      expiresAt: new Date(state.expiresAt),
    });
}

function sameState(a: State, b: State): boolean {
  const canonical = (s: State) =>
    s === null ? "null" : JSON.stringify(Object.entries(s).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

/** Changes to one site run one at a time, so two workers tapping at once cannot record a wrong "before". */
async function lockSite(tx: Executor, siteId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`worker-tools:${siteId}`}))`);
}

async function bumpVersion(tx: Executor): Promise<void> {
  await tx
    .update(directoryInfo)
    .set({ version: sql`${directoryInfo.version} + 1` })
    .where(eq(directoryInfo.id, 1));
}

/**
 * `today`: the directory's wall date; an edit of what the file says marks the site checked that day
 * (the coordinator just looked at it).
 */
export async function applyChange(
  db: Database,
  actor: Actor,
  change: ChangeRequest,
  now: Date,
  today?: string,
): Promise<ChangeResult> {
  return db.transaction(async (tx) => {
    const target = targetOf(change);
    await lockSite(tx, change.siteId);
    if (target.startsWith("field:")) await keepFileBase(tx, change.siteId);
    const before = await readState(tx, change.siteId, target);
    const after = afterOf(change, before, now);
    if (sameState(before, after)) return { kind: "unchanged" };
    await writeState(tx, change.siteId, target, after, now);
    if (target.startsWith("field:") && today)
      await tx.update(sites).set({ verifiedOn: today }).where(eq(sites.id, change.siteId));
    const [row] = await tx
      .insert(directoryChanges)
      .values({
        at: now,
        memberId: actor.memberId,
        memberAlias: actor.alias,
        organisationId: actor.organisationId,
        siteId: change.siteId,
        kind: change.kind,
        target,
        before,
        after,
      })
      .returning({ id: directoryChanges.id });
    if (!row) throw new Error("audit insert returned nothing");
    await bumpVersion(tx);
    return { kind: "done", changeId: row.id, after };
  });
}

export type DirectoryChange = typeof directoryChanges.$inferSelect;

export type UndoResult =
  | { kind: "undone"; change: DirectoryChange }
  // A listing edit (what the file says) is a coordinator's to undo.
  | { kind: "not-coordinator" }
  | { kind: "unknown" }
  | { kind: "already"; change: DirectoryChange }
  | { kind: "superseded"; change: DirectoryChange };

/** Puts back the state before one change, unless it was undone already or something newer changed it. */
export async function undoChange(
  db: Database,
  actor: Actor,
  changeId: number,
  now: Date,
  { coordinator }: { coordinator: boolean } = { coordinator: false },
): Promise<UndoResult> {
  return db.transaction(async (tx) => {
    const [change] = await tx
      .select()
      .from(directoryChanges)
      .where(
        and(eq(directoryChanges.id, changeId), eq(directoryChanges.organisationId, actor.organisationId)),
      )
      .for("update");
    if (!change) return { kind: "unknown" };
    if (!coordinator && (SITE_EDIT_KINDS as readonly string[]).includes(change.kind))
      return { kind: "not-coordinator" };
    // The site may have moved to another organisation (or gone) in an import since: not theirs to undo.
    const [site] = await tx
      .select({ organisationId: sites.organisationId })
      .from(sites)
      .where(eq(sites.id, change.siteId));
    if (site?.organisationId !== actor.organisationId) return { kind: "unknown" };
    if (change.undoneAt) return { kind: "already", change };
    await lockSite(tx, change.siteId);
    const [newer] = await tx
      .select({ id: directoryChanges.id })
      .from(directoryChanges)
      .where(
        and(
          eq(directoryChanges.siteId, change.siteId),
          eq(directoryChanges.target, change.target),
          gt(directoryChanges.id, change.id),
          isNull(directoryChanges.undoneAt),
        ),
      )
      .limit(1);
    const current = await readState(tx, change.siteId, change.target);
    if (newer || !sameState(current, (change.after ?? null) as State)) return { kind: "superseded", change };
    await writeState(tx, change.siteId, change.target, (change.before ?? null) as State, now);
    const [undone] = await tx
      .update(directoryChanges)
      .set({ undoneAt: now, undoneByMemberId: actor.memberId })
      .where(eq(directoryChanges.id, change.id))
      .returning();
    await bumpVersion(tx);
    return { kind: "undone", change: undone ?? change };
  });
}

export async function listChanges(
  db: Executor,
  filter: { organisationId?: string; siteId?: string; limit: number },
): Promise<DirectoryChange[]> {
  return db
    .select()
    .from(directoryChanges)
    .where(
      and(
        filter.organisationId ? eq(directoryChanges.organisationId, filter.organisationId) : undefined,
        filter.siteId ? eq(directoryChanges.siteId, filter.siteId) : undefined,
      ),
    )
    .orderBy(desc(directoryChanges.id))
    .limit(filter.limit);
}

export type { DirectoryChangeKind };

/**
 * "✅ Still true": a worker of the site's organisation says its information holds, today. The card's
 * "checked on" moves to today (and its age warning goes); the version moves so every process reloads.
 */
export async function markVerified(
  db: Database,
  actor: Actor,
  siteId: string,
  today: string,
): Promise<"verified" | "unknown"> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(sites)
      .set({ verifiedOn: today })
      .where(and(eq(sites.id, siteId), eq(sites.organisationId, actor.organisationId)))
      .returning({ id: sites.id });
    if (updated.length === 0) return "unknown";
    await bumpVersion(tx);
    return "verified";
  });
}
