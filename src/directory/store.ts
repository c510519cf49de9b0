import { and, eq, isNotNull, isNull, notInArray, sql } from "drizzle-orm";
import type { Database, Executor } from "../db/executor";
import {
  chequeDays,
  directoryInfo,
  invitations,
  materials,
  members,
  organisations,
  places,
  siteDayOverrides,
  siteMaterials,
  siteNotes,
  siteSpecialDates,
  sites,
  stockOuts,
} from "../db/schema";
import { vocabularyOf } from "./file-model";
import { type DirectoryFile, PHONE_ONLY_TYPES } from "./file-schema";
import { type Directory, EMPTY_VOCABULARY, type Site, type Vocabulary } from "./model";
import {
  canonicalFields,
  EDITABLE_FIELDS,
  type EditableField,
  type EditableValues,
  type EditsReport,
  mergeField,
} from "./site-edits";

/** Query functions for the directory tables. Each takes the executor first and returns plain data. */

export async function getDirectoryVersion(db: Executor): Promise<number | undefined> {
  const rows = await db
    .select({ version: directoryInfo.version })
    .from(directoryInfo)
    .where(eq(directoryInfo.id, 1));
  return rows[0]?.version;
}

/** An import would remove an organisation that still has active members. */
export class OrganisationInUseError extends Error {
  constructor(readonly organisationIds: string[]) {
    super(
      `These organisations still have active members and cannot be removed: ${organisationIds.join(", ")}. Keep them in the file, or revoke their members first.`,
    );
  }
}

export type ImportSummary = {
  organisations: number;
  sites: number;
  materials: number;
  places: number;
  chequeDays: number;
  keptStockOuts: number;
  /** Coordinators' edits in the bot that the import kept, and those the file overrode. */
  edits: EditsReport;
};

/**
 * Replaces the whole directory in one transaction: either the new file is in place, or nothing changed.
 * Stock-outs reported by workers survive for the site/material pairs the new file still lists.
 */
export async function replaceDirectory(db: Database, file: DirectoryFile): Promise<ImportSummary> {
  return db.transaction(async (tx) => {
    const previousStockOuts = await tx.select().from(stockOuts);
    const previousVersion = (await getDirectoryVersion(tx)) ?? 0;
    // A worker's "✅ still true" is newer than a file written before it: the later date is kept.
    const previousSites = await tx.select().from(sites);
    const previousVerified = new Map(previousSites.map((s) => [s.id, s.verifiedOn]));
    const previousLinks = await tx.select().from(siteMaterials);
    const edits: EditsReport = { kept: [], overridden: [] };
    const merged = mergeEdits(file, previousSites, previousLinks, edits);

    await tx.delete(stockOuts);
    await tx.delete(siteSpecialDates);
    await tx.delete(siteMaterials);
    await tx.delete(sites);
    await tx.delete(materials);
    await tx.delete(places);
    await tx.delete(chequeDays);
    await tx.delete(directoryInfo);

    await tx.insert(directoryInfo).values({
      id: 1,
      name: file.meta.name,
      isExample: file.meta.example,
      timezone: file.meta.timezone,
      countryCode: file.meta.country_code,
      region: file.meta.region,
      emergencyNumber: file.meta.emergency_number,
      staleAfterDays: file.meta.stale_after_days,
      vocabulary: vocabularyOf(file.vocabulary),
      version: previousVersion + 1,
    });
    const days = [...new Set(file.cheque_days)];
    if (days.length) await tx.insert(chequeDays).values(days.map((day) => ({ day })));
    await tx.insert(materials).values(
      file.materials.map((m, position) => ({
        id: m.id,
        position,
        labelFr: m.label.fr,
        labelEn: m.label.en,
        words: m.words,
      })),
    );
    if (file.places.length)
      await tx.insert(places).values(
        file.places.map((p, position) => ({
          id: p.id,
          position,
          kind: p.kind,
          nameFr: p.name.fr,
          nameEn: p.name.en,
          lat: p.lat,
          lon: p.lon,
        })),
      );
    // Organisations are updated in place: members belong to them and must not be cut loose by an import.
    for (const o of file.organisations) {
      const values = {
        nameFr: o.name.fr,
        nameEn: o.name.en,
        articleFr: o.article_fr ?? null,
        phone: o.phone ?? null,
        website: o.website ?? null,
        serves: o.serves ?? null,
        keepsRequests: o.keeps_requests,
      };
      await tx
        .insert(organisations)
        .values({ id: o.id, ...values })
        .onConflictDoUpdate({ target: organisations.id, set: values });
    }
    const kept = file.organisations.map((o) => o.id);
    const withMembers = await tx
      .selectDistinct({ id: members.organisationId })
      .from(members)
      .where(and(isNull(members.revokedAt), notInArray(members.organisationId, kept)));
    if (withMembers.length > 0) throw new OrganisationInUseError(withMembers.map((o) => o.id));
    await tx.delete(invitations).where(notInArray(invitations.organisationId, kept));
    await tx
      .delete(members)
      .where(and(notInArray(members.organisationId, kept), isNotNull(members.revokedAt)));
    await tx.delete(organisations).where(notInArray(organisations.id, kept));
    await tx.insert(sites).values(
      merged.map(({ site: s, values, fileBase }) => ({
        id: s.id,
        organisationId: s.organisation,
        type: s.type,
        nameFr: s.name.fr,
        nameEn: s.name.en,
        articleFr: s.article_fr ?? null,
        address: s.address ?? null,
        neighbourhood: s.neighbourhood ?? null,
        lat: s.location?.lat ?? null,
        lon: s.location?.lon ?? null,
        stops: s.stops ?? [],
        phone: values.phone,
        hours: values.hours,
        chequeDayHours: s.cheque_day_hours ?? null,
        languages: s.languages,
        services: s.services,
        noteFr: values.note?.fr ?? null,
        noteEn: values.note?.en ?? null,
        isCrisisLine: s.crisis_line,
        verifiedOn: laterDay(s.verified_on, previousVerified.get(s.id)),
        fileBase,
      })),
    );
    const links = merged.flatMap(({ site, values }) =>
      [...new Set(values.materials)].map((materialId) => ({ siteId: site.id, materialId })),
    );
    if (links.length) await tx.insert(siteMaterials).values(links);
    const specials = file.sites.flatMap((s) =>
      (s.special_dates ?? []).map((d) => ({
        siteId: s.id,
        day: d.date,
        hours: d.hours,
        noteFr: d.note?.fr ?? null,
        noteEn: d.note?.en ?? null,
      })),
    );
    if (specials.length) await tx.insert(siteSpecialDates).values(specials);

    const stillListed = new Set(links.map((l) => `${l.siteId}\u0000${l.materialId}`));
    const keptStockOuts = previousStockOuts.filter((s) =>
      stillListed.has(`${s.siteId}\u0000${s.materialId}`),
    );
    if (keptStockOuts.length) await tx.insert(stockOuts).values(keptStockOuts);
    // Workers' closures, hours and notes stay with the sites that still exist.
    const siteIds = file.sites.map((s) => s.id);
    await tx.delete(siteDayOverrides).where(notInArray(siteDayOverrides.siteId, siteIds));
    await tx.delete(siteNotes).where(notInArray(siteNotes.siteId, siteIds));

    return {
      organisations: file.organisations.length,
      sites: file.sites.length,
      materials: file.materials.length,
      places: file.places.length,
      chequeDays: days.length,
      keptStockOuts: keptStockOuts.length,
      edits,
    };
  });
}

type FileSite = DirectoryFile["sites"][number];

/**
 * Each file site with the editable values it gets: the file's, or a coordinator's edit the file does
 * not change (directory/site-edits.ts). `fileBase` is what the file says, the base of the next merge.
 */
function mergeEdits(
  file: DirectoryFile,
  previousSites: (typeof sites.$inferSelect)[],
  previousLinks: (typeof siteMaterials.$inferSelect)[],
  report: EditsReport,
): { site: FileSite; values: EditableValues; fileBase: Record<string, string> }[] {
  const previous = new Map(previousSites.map((s) => [s.id, s]));
  const knownMaterials = new Set(file.materials.map((m) => m.id));
  return file.sites.map((site) => {
    const incoming: EditableValues = {
      hours: site.hours,
      phone: site.phone ?? null,
      note: site.note ?? null,
      materials: site.materials,
    };
    const fileBase = canonicalFields(incoming);
    const row = previous.get(site.id);
    if (!row?.fileBase) return { site, values: incoming, fileBase };
    const current: EditableValues = {
      hours: row.hours,
      phone: row.phone,
      note: row.noteFr && row.noteEn ? { fr: row.noteFr, en: row.noteEn } : null,
      // A material the new file no longer lists cannot be handed out, whoever listed it.
      materials: previousLinks
        .filter((l) => l.siteId === site.id && knownMaterials.has(l.materialId))
        .map((l) => l.materialId),
    };
    const held = canonicalFields(current);
    // The base read as `current` is: without materials the new file no longer lists (so dropping one from
    // the directory is not taken for a coordinator's edit).
    const base: Partial<Record<EditableField, string>> = {
      ...row.fileBase,
      materials: canonicalFields({
        ...incoming,
        materials: (row.fileBase.materials ?? "").split(",").filter((id) => knownMaterials.has(id)),
      }).materials,
    };
    const values = { ...incoming };
    for (const field of EDITABLE_FIELDS) {
      let outcome = mergeField(base[field], held[field], fileBase[field]);
      // A phone removed in the bot cannot stay off a site the new file makes a phone line or a van.
      if (outcome === "kept" && field === "phone" && !current.phone && PHONE_ONLY_TYPES.has(site.type))
        outcome = "overridden";
      if (outcome === "file") continue;
      report[outcome].push({ siteId: site.id, field });
      if (outcome === "kept") Object.assign(values, { [field]: current[field] });
    }
    return { site, values, fileBase };
  });
}

/** The whole directory as the bot uses it, or undefined when none was ever imported. */
export async function loadDirectory(db: Executor): Promise<Directory | undefined> {
  const [info] = await db.select().from(directoryInfo).where(eq(directoryInfo.id, 1));
  if (!info) return undefined;
  const [
    dayRows,
    materialRows,
    placeRows,
    organisationRows,
    siteRows,
    linkRows,
    specialRows,
    stockRows,
    workerDayRows,
    noteRows,
  ] = await Promise.all([
    db.select().from(chequeDays).orderBy(chequeDays.day),
    db.select().from(materials).orderBy(materials.position),
    db.select().from(places).orderBy(places.position),
    db.select().from(organisations).orderBy(organisations.id),
    db.select().from(sites).orderBy(sites.id),
    db.select().from(siteMaterials),
    db.select().from(siteSpecialDates).orderBy(siteSpecialDates.day),
    db.select().from(stockOuts),
    db.select().from(siteDayOverrides).orderBy(siteDayOverrides.day),
    db.select().from(siteNotes),
  ]);
  const materialOrder = new Map(materialRows.map((m) => [m.id, m.position]));
  return {
    version: info.version,
    info: {
      name: info.name,
      isExample: info.isExample,
      timezone: info.timezone,
      countryCode: info.countryCode,
      region: info.region,
      emergencyNumber: info.emergencyNumber,
      staleAfterDays: info.staleAfterDays,
    },
    vocabulary: { ...EMPTY_VOCABULARY, ...(info.vocabulary as Partial<Vocabulary>) },
    chequeDays: dayRows.map((d) => d.day),
    materials: materialRows.map((m) => ({
      id: m.id,
      label: { fr: m.labelFr, en: m.labelEn },
      words: m.words,
    })),
    places: placeRows.map((p) => ({
      id: p.id,
      kind: p.kind,
      name: { fr: p.nameFr, en: p.nameEn },
      lat: p.lat,
      lon: p.lon,
    })),
    organisations: organisationRows.map((o) => ({
      id: o.id,
      name: { fr: o.nameFr, en: o.nameEn },
      ...(o.articleFr ? { articleFr: o.articleFr } : {}),
      ...(o.phone ? { phone: o.phone } : {}),
      ...(o.website ? { website: o.website } : {}),
      ...(o.serves ? { serves: o.serves } : {}),
      keepsRequests: o.keepsRequests,
    })),
    sites: siteRows.map(
      (s): Site => ({
        id: s.id,
        organisationId: s.organisationId,
        type: s.type as Site["type"],
        name: { fr: s.nameFr, en: s.nameEn },
        ...(s.articleFr ? { articleFr: s.articleFr } : {}),
        ...(s.address ? { address: s.address } : {}),
        ...(s.neighbourhood ? { neighbourhood: s.neighbourhood } : {}),
        ...(s.lat !== null && s.lon !== null ? { location: { lat: s.lat, lon: s.lon } } : {}),
        stops: s.stops,
        ...(s.phone ? { phone: s.phone } : {}),
        hours: s.hours,
        ...(s.chequeDayHours ? { chequeDayHours: s.chequeDayHours } : {}),
        specialDates: specialRows
          .filter((d) => d.siteId === s.id)
          .map((d) => ({
            day: d.day,
            hours: d.hours,
            ...(d.noteFr && d.noteEn ? { note: { fr: d.noteFr, en: d.noteEn } } : {}),
          })),
        materials: linkRows
          .filter((l) => l.siteId === s.id)
          .map((l) => l.materialId)
          .sort((a, b) => (materialOrder.get(a) ?? 0) - (materialOrder.get(b) ?? 0)),
        services: s.services,
        languages: s.languages,
        ...(s.noteFr && s.noteEn ? { note: { fr: s.noteFr, en: s.noteEn } } : {}),
        isCrisisLine: s.isCrisisLine,
        verifiedOn: s.verifiedOn,
        stockOuts: stockRows
          .filter((r) => r.siteId === s.id)
          .map((r) => ({ materialId: r.materialId, since: r.since })),
        ...workerExtras(s.id, workerDayRows, noteRows),
      }),
    ),
  };
}

function workerExtras(
  siteId: string,
  dayRows: (typeof siteDayOverrides.$inferSelect)[],
  noteRows: (typeof siteNotes.$inferSelect)[],
): Pick<Site, "workerDays" | "workerNote"> {
  const workerDays = dayRows
    .filter((d) => d.siteId === siteId)
    .map((d) => ({ day: d.day, hours: d.hours, setAt: d.setAt }));
  const note = noteRows.find((n) => n.siteId === siteId);
  return {
    ...(workerDays.length ? { workerDays } : {}),
    ...(note
      ? {
          workerNote: {
            text: { fr: note.textFr, en: note.textEn },
            postedAt: note.postedAt,
            expiresAt: note.expiresAt,
          },
        }
      : {}),
  };
}

export async function isDirectoryEmpty(db: Executor): Promise<boolean> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(sites);
  return (rows[0]?.n ?? 0) === 0;
}

/** The later of two yyyy-mm-dd days (they compare as text). */
function laterDay(day: string, other: string | undefined): string {
  return other !== undefined && other > day ? other : day;
}
