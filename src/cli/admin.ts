import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { Api } from "grammy";
import { createTranslations } from "../bot/i18n";
import { configFromEnvironment, storageConfigFromEnvironment } from "../config";
import { openDatabase } from "../db/client";
import { DataDirBusyError } from "../db/data-dir-lock";
import type { Database } from "../db/executor";
import { organisations, type Role } from "../db/schema";
import { CatalogCache } from "../directory/catalog-cache";
import { wallDate } from "../directory/clock";
import {
  directoryToYaml,
  EXAMPLE_DIRECTORY,
  formatIssues,
  parseDirectoryText,
  readBoundedText,
  readDirectoryFile,
} from "../directory/file";
import { toDirectoryFile } from "../directory/file-model";
import { directoryJsonSchema } from "../directory/file-schema";
import { checkOpeningHours } from "../directory/hours-syntax";
import { toHsds } from "../directory/hsds/export";
import { parseHsdsText } from "../directory/hsds/import";
import { hsdsDocumentSchema } from "../directory/hsds/schema";
import { seedExampleIfEmpty } from "../directory/seed";
import { editsReportLines } from "../directory/site-edits";
import { loadDirectory, replaceDirectory } from "../directory/store";
import { createInvitation, isOnCall, listMembers, setShift } from "../features/members/queries";
import type { RequestDeps } from "../features/requests/use-cases";
import { parseDuration } from "../features/team/duration";
import { revokeFromOutside } from "../features/team/revoke";
import { listChanges } from "../features/worker-tools/use-cases";
import { loadKeys } from "../privacy/keys";
import { createSealer } from "../privacy/sealed";
import { STATS_ZONE } from "../stats/counters";
import { exportRows, formatExport, STATS_FORMATS, type StatsFormat, statsRange } from "../stats/export";
import { readChequeDays, readCounters } from "../stats/report";
import { type DirectoryFormat, detectFormat, isDirectoryFormat } from "./directory-format";
import { ROTATE_HELP, rotateKeys } from "./rotate-keys";

/**
 * `npm run admin -- <command>`. Prints to stdout what was asked for and to stderr what went wrong;
 * exits 0 on success, 1 on a problem with the input, 2 on a usage mistake.
 */

const HELP: Record<string, string> = {
  main: `Perche admin

Usage: npm run admin -- <command> [options]

Commands:
  migrate                        apply pending database migrations
  directory validate FILE        check a directory file (YAML or JSON); lists every error with its path
  directory import FILE          replace the whole directory with FILE (YAML, JSON or HSDS), all or nothing
  directory export [--out FILE]  write the directory as YAML, or --format hsds (to stdout without --out)
  directory schema [--out FILE]  write the JSON Schema of the directory file, for editors
  link SITE_ID [--username BOT]  print the t.me link that opens a site's card (for posters, QR codes)
  invite --role ROLE --org ID    print a single-use invitation link for a worker, peer helper or coordinator
  members [--org ID]             list active members (alias, role, on call)
  revoke MEMBER_ID               remove a member: they lose access at once
  shift MEMBER_ID --hours H      set a member's weekly shift (OSM syntax), or --clear it
  rotate-keys                    re-seal everything with a new encryption key (see rotate-keys --help)
  changes [--site ID] [--limit N]  list workers' latest directory changes (stock, closures, notes)
  stats [--from D] [--to D]      anonymous counts per day (--format text|csv|json, --org ID)

Every command accepts --help. The database comes from DATABASE_URL, else the embedded one in DATA_DIR.`,
  migrate:
    "Usage: npm run admin -- migrate\n\nApplies pending migrations (the bot also does this when it starts).",
  "directory validate":
    "Usage: npm run admin -- directory validate FILE [--format yaml|hsds]\n\nChecks FILE against the directory format and lists every error as path: message.\nAn HSDS file (see directory import --help) is checked as an import would read it, and what could\nnot be mapped is listed. Does not touch the database.",
  "directory import":
    "Usage: npm run admin -- directory import FILE [--format yaml|hsds]\n\nValidates FILE, then replaces the whole directory in one transaction: all or nothing.\nStock-outs reported by workers are kept for the sites that still list that material;\ntheir closures, special hours and notes for the sites that still exist.\nA coordinator's edit in the bot (hours, phone, note, materials) is kept when the file does not\nchange that field since the last import; when it does, the file wins and the import names the edit.\n\n--format yaml   the directory file (YAML or JSON)\n--format hsds   Open Referral HSDS 3.0 JSON (tabular form). A file Perche exported comes back whole\n                (its Perche profile holds what HSDS cannot say). A file written elsewhere gives its\n                organizations, and one site per service_at_location (names, phones, addresses,\n                coordinates, weekly schedules, languages); materials, places, vocabulary, cheque days\n                and settings stay those of the current directory. What could not be mapped is listed.\nWithout --format: a .yaml/.yml file is YAML; JSON with HSDS tables (organization, service...) is HSDS.",
  "directory export":
    "Usage: npm run admin -- directory export [--format yaml|hsds] [--out FILE]\n\nWrites the directory to FILE or to stdout. `export` then `import` changes nothing.\n\n--format yaml   the directory file as YAML (the default)\n--format hsds   Open Referral HSDS 3.0 JSON (tabular form) with the Perche profile: organizations,\n                services, locations, service_at_location, weekly schedules, phones, languages,\n                addresses, and under `perche` what HSDS cannot say (both languages, the exact\n                opening_hours, PH off, special dates, cheque days, materials, the time zone...).\n                See docs/hsds-profile.md.",
  "directory schema":
    "Usage: npm run admin -- directory schema [--out FILE]\n\nWrites the JSON Schema of the directory file (for editor completion and checks).",
  invite:
    "Usage: npm run admin -- invite --role worker|peer|coordinator --org ORGANISATION_ID [--expires 48h] [--username BOT]\n\nPrints https://t.me/<bot>?start=inv-<code>: single use, expires after --expires (default 48h, at most 30d).\nThe person opening it chooses the alias people will see. A coordinator (--role admin is the same) can\ninvite others from the bot with /inviter. On an empty database the example directory is loaded first.",
  members:
    "Usage: npm run admin -- members [--org ORGANISATION_ID]\n\nLists active members: id, organisation, role, alias, and whether they are on call.",
  revoke:
    "Usage: npm run admin -- revoke MEMBER_ID\n\nRemoves a member (see `members` for ids). They lose access at once; their past answers stay.",
  shift:
    'Usage: npm run admin -- shift MEMBER_ID --hours "Mo-Fr 18:00-02:00"\n       npm run admin -- shift MEMBER_ID --clear\n\nA member is on call while their weekly shift runs (same syntax as site hours). People are told when\nthe next shift starts when nobody is on call.',
  "rotate-keys": ROTATE_HELP,
  changes:
    "Usage: npm run admin -- changes [--site SITE_ID] [--limit N]\n\nLists the latest changes workers made from the bot (newest first, default 50, at most 1000):\nwhen (UTC), member id and alias, organisation, site, kind, before → after, and when it was undone.\nNothing about the people served is recorded.",
  stats:
    "Usage: npm run admin -- stats [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|csv|json] [--org ORGANISATION_ID]\n\nPrints the anonymous counters per Montreal day: day, day_from_cheque (0 on a cheque day, -7..-1 the week\nbefore, then 1, 2... after; empty when no cheque day is listed near it), metric, key, value.\nDefaults: the 30 days up to today, as a text table. At most three years at once.\nWith --org, that team's request counts plus the directory's lookups; without, everything summed.\n\nMetrics: lookup (key: material|open|near|site), lookup.material (material id), lookup.site_type,\nrequest.category, request.hour (Montreal hour), request.nobody_on_call, request.outcome\n(closed:<outcome>|withdrawn|expired), request.claim_wait (key: lower edge in minutes of the buckets\n0,1,2,5,10,15,20,30,45,60,90,120,180,240,360,480,720,1440).",
  link: "Usage: npm run admin -- link SITE_ID [--username BOT_USERNAME]\n\nPrints https://t.me/<bot>?start=site-<id>, which opens that site's card.\nWithout --username, asks Telegram for the bot's username using BOT_TOKEN. Works while the bot runs:\nthe site id is then not checked against the embedded database, which the bot holds.",
};

class UsageError extends Error {}

const MAX_INVITE_LIFETIME = 30 * 86_400_000;

/** What `--role` accepts; "coordinator" is the name people use, "admin" the one stored. */
const ROLE_NAMES: Record<string, Role> = {
  worker: "worker",
  peer: "peer",
  coordinator: "admin",
  admin: "admin",
};
/** A role as a sentence says it: "for a coordinator of …". */
const ROLE_WORDS: Record<Role, string> = {
  worker: "a worker",
  peer: "a peer helper",
  admin: "a coordinator",
};
const ROLE_LABELS: Record<Role, string> = { worker: "worker", peer: "peer", admin: "coordinator" };

function out(text: string) {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}
function fail(text: string): never {
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

/** What the request use cases need, outside the bot: the same keys, texts and directory. */
function requestDeps(db: Database, embedded: boolean): RequestDeps {
  const parsed = storageConfigFromEnvironment();
  if (!parsed.ok) fail(parsed.errors.join("\n"));
  const keys = loadKeys({
    pseudonymKey: parsed.config.pseudonymKey,
    encryptionKey: parsed.config.encryptionKey,
    previousEncryptionKeys: parsed.config.previousEncryptionKeys,
    dataDir: parsed.config.dataDir,
    embedded,
  });
  return {
    db,
    sealer: createSealer(keys.encryptionKey, keys.previousEncryptionKeys),
    translations: createTranslations(),
    now: () => new Date(),
    catalog: new CatalogCache(),
    defaultLocale: "fr",
  };
}

/** Stops with a clear line, listing the ids there are, when the organisation id names nothing. */
async function requireOrganisation(db: Database, organisationId: string): Promise<void> {
  const [organisation] = await db.select().from(organisations).where(eq(organisations.id, organisationId));
  if (organisation) return;
  const ids = (await db.select({ id: organisations.id }).from(organisations).orderBy(organisations.id)).map(
    (o) => o.id,
  );
  fail(
    ids.length > 0
      ? `No organisation has the id ${organisationId}. The directory has: ${ids.join(", ")}.`
      : `No organisation has the id ${organisationId}: the directory has none. Import one with \`npm run admin -- directory import FILE\`.`,
  );
}

/** A fresh database has no organisation to invite anyone to: the example directory is loaded, as the bot does. */
async function seedIfEmpty(db: Database): Promise<void> {
  const seeded = await seedExampleIfEmpty(db);
  if (seeded.kind === "example-loaded")
    process.stderr.write(
      `The directory was empty: loaded the EXAMPLE directory (${seeded.sites} invented sites), as the bot does on its first start. Import your own with \`npm run admin -- directory import FILE\`; its organisations must keep the ids members belong to.\n`,
    );
}

const BUSY = Symbol("the embedded database is busy");

async function withDatabase<T>(
  action: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
): Promise<T>;
async function withDatabase<T>(
  action: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
  options: { orIfBusy: "skip" },
): Promise<T | typeof BUSY>;
async function withDatabase<T>(
  action: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
  options: { orIfBusy?: "skip" } = {},
): Promise<T | typeof BUSY> {
  const parsed = storageConfigFromEnvironment();
  if (!parsed.ok) fail(parsed.errors.join("\n"));
  let handle: Awaited<ReturnType<typeof openDatabase>>;
  try {
    handle = await openDatabase(parsed.config);
  } catch (error) {
    if (error instanceof DataDirBusyError && options.orIfBusy === "skip") return BUSY;
    if (error instanceof DataDirBusyError)
      fail(
        `${error.message}\nThe embedded database allows one process at a time: stop the bot, run this command, start it again (or, to invite someone, use /inviter in the bot as a coordinator).`,
      );
    throw error;
  }
  try {
    await handle.migrate();
    return await action(handle);
  } finally {
    await handle.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      out: { type: "string" },
      username: { type: "string" },
      role: { type: "string" },
      org: { type: "string" },
      expires: { type: "string" },
      hours: { type: "string" },
      clear: { type: "boolean" },
      pseudonym: { type: "boolean" },
      "drop-previous": { type: "boolean" },
      site: { type: "string" },
      limit: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      format: { type: "string" },
    },
  });
  const [command, sub, ...rest] = positionals;
  const key = command === "directory" && sub ? `directory ${sub}` : (command ?? "main");
  if (values.help || !command) {
    out(HELP[key] ?? HELP.main ?? "");
    return;
  }

  switch (key) {
    case "rotate-keys": {
      requireNone(sub === undefined ? [] : [sub, ...rest], key);
      const parsed = storageConfigFromEnvironment();
      if (!parsed.ok) fail(parsed.errors.join("\n"));
      await rotateKeys(
        parsed.config,
        { pseudonym: values.pseudonym === true, dropPrevious: values["drop-previous"] === true },
        (action) => withDatabase((handle) => action(handle.db)),
        out,
        fail,
      );
      return;
    }

    case "migrate":
      await withDatabase(async () => out("Migrations applied."));
      return;

    case "directory validate": {
      const file = requireOne(rest, "FILE", key);
      const format = formatOption(values.format, key);
      const read = await readBoundedText(file);
      if (!read.ok) fail(`${file}: ${read.errors.length} problem(s)\n${read.errors.join("\n")}`);
      // No database here: a file written elsewhere is checked against the example's materials and settings.
      const result = await parseIn(format ?? detectFormat(file, read.text), read.text, undefined);
      if (!result.ok) fail(`${file}: ${result.errors.length} problem(s)\n${result.errors.join("\n")}`);
      printReport(result.report);
      out(`${file} is valid: ${result.file.sites.length} sites, ${result.file.materials.length} materials.`);
      return;
    }

    case "directory import": {
      const file = requireOne(rest, "FILE", key);
      const format = formatOption(values.format, key);
      const read = await readBoundedText(file);
      if (!read.ok) fail(`${file}: nothing imported\n${read.errors.join("\n")}`);
      const chosen = format ?? detectFormat(file, read.text);
      const outcome = await withDatabase(async (handle) => {
        const result = await parseIn(chosen, read.text, handle.db);
        if (!result.ok) return result;
        return { ...result, summary: await replaceDirectory(handle.db, result.file) };
      });
      if (!outcome.ok)
        fail(`${file}: ${outcome.errors.length} problem(s), nothing imported\n${outcome.errors.join("\n")}`);
      printReport(outcome.report);
      const { summary } = outcome;
      out(
        `Imported ${summary.sites} sites, ${summary.organisations} organisations, ${summary.materials} materials, ${summary.places} places, ${summary.chequeDays} cheque days.` +
          (summary.keptStockOuts ? ` Kept ${summary.keptStockOuts} stock-out report(s).` : "") +
          editsReportLines(summary.edits)
            .map((line) => `\n${line}`)
            .join("") +
          (outcome.file.meta.example ? "\nNote: this file is marked as EXAMPLE data." : ""),
      );
      return;
    }

    case "directory export": {
      requireNone(rest, key);
      const format = formatOption(values.format, key) ?? "yaml";
      const directory = await withDatabase((handle) => loadDirectory(handle.db));
      if (!directory)
        fail("The directory is empty: nothing to export. Import one with `directory import FILE`.");
      const file = toDirectoryFile(directory);
      let text: string;
      if (format === "yaml") text = directoryToYaml(file);
      else {
        const document = toHsds(file, { stockOuts: stockOutsOf(directory) });
        // What we publish must be HSDS: checked by the same schema that reads other systems' files.
        const checked = hsdsDocumentSchema.safeParse(document);
        if (!checked.success)
          fail(
            `The HSDS export is not valid HSDS (a bug):\n${formatIssues(checked.error.issues).join("\n")}`,
          );
        text = `${JSON.stringify(document, null, 2)}\n`;
      }
      if (values.out) {
        await writeFile(values.out, text);
        out(
          `Wrote ${directory.sites.length} sites to ${values.out}${format === "hsds" ? " (HSDS 3.0)" : ""}.`,
        );
      } else process.stdout.write(text);
      return;
    }

    case "directory schema": {
      requireNone(rest, key);
      const json = `${JSON.stringify(directoryJsonSchema(), null, 2)}\n`;
      if (values.out) {
        await writeFile(values.out, json);
        out(`Wrote the JSON Schema to ${values.out}.`);
      } else process.stdout.write(json);
      return;
    }

    case "link": {
      const siteId = requireOne(sub === undefined ? [] : [sub, ...rest], "SITE_ID", key);
      if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(siteId))
        fail(`${siteId} is not a site id (lowercase letters, digits and dashes).`);
      // Printing a link needs no database: with the bot holding the embedded one, the id goes unchecked.
      const directory = await withDatabase((handle) => loadDirectory(handle.db), { orIfBusy: "skip" });
      if (directory === BUSY)
        process.stderr.write(
          `Not checked: the bot holds the embedded database, so whether site ${siteId} exists was not looked up.\n`,
        );
      else if (!directory?.sites.some((s) => s.id === siteId))
        fail(`No site has the id ${siteId}. \`npm run admin -- directory export\` lists the ids.`);
      const username = values.username ?? (await botUsername());
      out(`https://t.me/${username.replace(/^@/, "")}?start=site-${siteId}`);
      return;
    }

    case "invite": {
      requireNone(sub === undefined ? [] : [sub, ...rest], key);
      const role = ROLE_NAMES[values.role ?? ""];
      if (!role) throw new UsageError(`invite needs --role worker, peer or coordinator.\n\n${HELP.invite}`);
      if (!values.org) throw new UsageError(`invite needs --org ORGANISATION_ID.\n\n${HELP.invite}`);
      const lifetime = parseDuration(values.expires ?? "48h");
      if (lifetime === undefined || lifetime > MAX_INVITE_LIFETIME)
        throw new UsageError(`--expires must be a duration such as 90m, 48h or 7d, at most 30d.`);
      const organisationId = values.org;
      const code = await withDatabase(async (handle) => {
        await seedIfEmpty(handle.db);
        await requireOrganisation(handle.db, organisationId);
        return createInvitation(handle.db, {
          organisationId,
          role,
          expiresAt: new Date(Date.now() + lifetime),
        });
      });
      const username = values.username ?? (await botUsername());
      out(`https://t.me/${username.replace(/^@/, "")}?start=inv-${code}`);
      out(
        `Single use, for ${ROLE_WORDS[role]} of ${organisationId}, valid until ${new Date(Date.now() + lifetime).toISOString()}.`,
      );
      return;
    }

    case "members": {
      requireNone(sub === undefined ? [] : [sub, ...rest], key);
      const now = new Date();
      const list = await withDatabase((handle) => listMembers(handle.db, values.org));
      if (list.length === 0) {
        out("No active members.");
        return;
      }
      out(
        [
          "id\torganisation\trole\ton call\talias",
          ...list.map(
            (m) =>
              `${m.id}\t${m.organisationId}\t${ROLE_LABELS[m.role]}\t${isOnCall(m, now) ? "yes" : "no"}\t${m.alias}`,
          ),
        ].join("\n"),
      );
      return;
    }

    case "revoke": {
      const id = requireOne(sub === undefined ? [] : [sub, ...rest], "MEMBER_ID", key);
      if (!/^\d{1,9}$/.test(id))
        throw new UsageError(`MEMBER_ID is a number from \`members\`.\n\n${HELP.revoke}`);
      const result = await withDatabase((handle) =>
        revokeFromOutside(requestDeps(handle.db, handle.kind === "pglite"), Number(id)),
      );
      if (!result) fail(`No active member has the id ${id}.`);
      const { member, released } = result;
      out(
        `Revoked ${member.alias} (${ROLE_LABELS[member.role]}, ${member.organisationId}).` +
          (released > 0 ? ` ${released} request(s) they held went back to the team.` : ""),
      );
      return;
    }

    case "shift": {
      const id = requireOne(sub === undefined ? [] : [sub, ...rest], "MEMBER_ID", key);
      if (!/^\d{1,9}$/.test(id))
        throw new UsageError(`MEMBER_ID is a number from \`members\`.\n\n${HELP.shift}`);
      if (Boolean(values.hours) === Boolean(values.clear))
        throw new UsageError(`shift needs --hours or --clear.\n\n${HELP.shift}`);
      const hours = values.hours?.trim() ?? null;
      const problem = hours ? checkOpeningHours(hours) : undefined;
      if (problem) fail(`--hours is not valid opening_hours syntax: ${problem}`);
      const member = await withDatabase((handle) => setShift(handle.db, Number(id), hours));
      if (!member) fail(`No active member has the id ${id}.`);
      out(
        hours
          ? `${member.alias} is on call during: ${hours}`
          : `${member.alias} has no weekly shift any more.`,
      );
      return;
    }

    case "changes": {
      requireNone(sub === undefined ? [] : [sub, ...rest], key);
      const limit = values.limit ?? "50";
      if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)
        throw new UsageError(`--limit must be a whole number from 1 to 1000.\n\n${HELP.changes}`);
      const site = values.site;
      if (site !== undefined && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(site))
        throw new UsageError(
          `--site takes a site id (lowercase letters, digits and dashes).\n\n${HELP.changes}`,
        );
      const list = await withDatabase((handle) =>
        listChanges(handle.db, { ...(site ? { siteId: site } : {}), limit: Number(limit) }),
      );
      if (list.length === 0) {
        out(site ? `No directory changes for site ${site}.` : "No directory changes.");
        return;
      }
      const state = (value: unknown) => (value === null || value === undefined ? "-" : JSON.stringify(value));
      out(
        [
          "id\tat\tmember\torganisation\tsite\tkind\ttarget\tbefore\tafter\tundone",
          ...list.map((c) =>
            [
              c.id,
              c.at.toISOString(),
              `${c.memberId ?? "-"} ${c.memberAlias}`,
              c.organisationId,
              c.siteId,
              c.kind,
              c.target,
              state(c.before),
              state(c.after),
              c.undoneAt ? `${c.undoneAt.toISOString()} by ${c.undoneByMemberId ?? "-"}` : "-",
            ].join("\t"),
          ),
        ].join("\n"),
      );
      return;
    }

    case "stats": {
      requireNone(sub === undefined ? [] : [sub, ...rest], key);
      const format = values.format ?? "text";
      if (!STATS_FORMATS.includes(format as StatsFormat))
        throw new UsageError(`--format must be text, csv or json (got "${format}").`);
      const range = statsRange({ from: values.from, to: values.to }, wallDate(new Date(), STATS_ZONE));
      if (!range.ok) throw new UsageError(range.error);
      const organisationId = values.org;
      const rows = await withDatabase(async (handle) => {
        if (organisationId !== undefined) await requireOrganisation(handle.db, organisationId);
        const counters = await readCounters(handle.db, range.from, range.to, organisationId);
        return exportRows(counters, await readChequeDays(handle.db));
      });
      process.stdout.write(
        formatExport(rows, format as StatsFormat, {
          from: range.from,
          to: range.to,
          ...(organisationId === undefined ? {} : { organisationId }),
        }),
      );
      return;
    }

    default:
      throw new UsageError(`Unknown command: ${[command, sub].filter(Boolean).join(" ")}`);
  }
}

function formatOption(value: string | undefined, key: string): DirectoryFormat | undefined {
  if (value === undefined) return undefined;
  if (!isDirectoryFormat(value))
    throw new UsageError(`--format must be yaml or hsds (got "${value}").\n\n${HELP[key]}`);
  return value;
}

/** A directory file or an HSDS file read into the directory file, with what HSDS could not map. */
async function parseIn(format: DirectoryFormat, text: string, db: Database | undefined) {
  return format === "hsds"
    ? parseHsdsText(text, await hsdsImportOptions(db))
    : { ...parseDirectoryText(text), report: [] as string[] };
}

/**
 * A file written elsewhere has no materials, places, vocabulary, cheque days or settings: they stay the
 * current directory's, or the example's on an empty database.
 */
async function hsdsImportOptions(db: Database | undefined) {
  const current = db && (await loadDirectory(db));
  let base = current ? toDirectoryFile(current) : undefined;
  if (!base) {
    const example = await readDirectoryFile(EXAMPLE_DIRECTORY);
    if (example.ok) base = example.file;
  }
  return { ...(base ? { base } : {}), today: wallDate(new Date(), base?.meta.timezone ?? "America/Toronto") };
}

// A report of a file written elsewhere holds its strings: a terminal must not run its control codes, and
// a file of a hundred thousand records must not flood it.
const REPORT_LINES = 200;
const CONTROL = /\p{Cc}/gu;

function printReport(report: string[]): void {
  if (!report.length) return;
  const shown = report.slice(0, REPORT_LINES).map((line) => `- ${line.replace(CONTROL, " ")}`);
  const more = report.length > REPORT_LINES ? [`… and ${report.length - REPORT_LINES} more.`] : [];
  out(`What could not be mapped from HSDS (${report.length}):\n${[...shown, ...more].join("\n")}`);
}

function stockOutsOf(directory: NonNullable<Awaited<ReturnType<typeof loadDirectory>>>) {
  return Object.fromEntries(
    directory.sites.map((s) => [
      s.id,
      s.stockOuts.map((o) => ({ material: o.materialId, since: o.since.toISOString() })),
    ]),
  );
}

function requireOne(args: string[], name: string, key: string): string {
  if (args.length !== 1 || !args[0])
    throw new UsageError(`${key} needs exactly one ${name}.\n\n${HELP[key]}`);
  return args[0];
}
function requireNone(args: string[], key: string): void {
  if (args.length > 0)
    throw new UsageError(
      `${key} takes no ${args.length > 1 ? "arguments" : "argument"} here.\n\n${HELP[key]}`,
    );
}

async function botUsername(): Promise<string> {
  const parsed = configFromEnvironment();
  if (!parsed.ok) fail(`${parsed.errors.join("\n")}\n(or pass --username BOT_USERNAME)`);
  const me = await new Api(parsed.config.botToken, { apiRoot: parsed.config.telegramApiRoot })
    .getMe()
    .catch(() => fail("Could not ask Telegram for the bot's username; pass --username BOT_USERNAME."));
  return me.username;
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`${(error as Error).message}\nSee npm run admin -- --help\n`);
    process.exit(2);
  }
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
