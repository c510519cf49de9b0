import type { Bilingual, MobileStop } from "../db/schema";
import type { FrenchArticle } from "../text/french-name";
import type { SiteType } from "./file-schema";

/** The directory as the bot reads it: plain data, no database or Telegram types. */

export type { Bilingual, MobileStop, SiteType };

export type DirectoryInfo = {
  name: string;
  isExample: boolean;
  timezone: string;
  countryCode: string;
  region: string;
  emergencyNumber: string;
  /** meta.stale_after_days: past this many days, a site's information shows its age. */
  staleAfterDays: number;
};

export type Material = { id: string; label: Bilingual; words: string[] };
export type Place = {
  id: string;
  kind: "neighbourhood" | "metro";
  name: Bilingual;
  lat: number;
  lon: number;
};
export type Organisation = {
  id: string;
  name: Bilingual;
  /** The article French puts before a name written without one: "le" for "Réseau Est Solidaire". */
  articleFr?: FrenchArticle;
  phone?: string;
  website?: string;
  /** The places it serves as the file lists them; absent: its sites' neighbourhoods (see serves.ts). */
  serves?: string[];
  /** A request from its area waits for its own workers rather than going to others. */
  keepsRequests: boolean;
};
export type SpecialDate = { day: string; hours: string; note?: Bilingual };
export type StockOut = { materialId: string; since: Date };
/** A worker's closure or special hours for one day: applied after the file's special dates. */
export type WorkerDay = { day: string; hours: string; setAt: Date };
/** A worker's short street note on a site, shown on its card until it expires. */
export type WorkerNote = { text: Bilingual; postedAt: Date; expiresAt: Date };

export type Site = {
  id: string;
  organisationId: string;
  type: SiteType;
  name: Bilingual;
  articleFr?: FrenchArticle;
  address?: string;
  neighbourhood?: string;
  location?: { lat: number; lon: number };
  stops: MobileStop[];
  phone?: string;
  hours: string;
  chequeDayHours?: string;
  specialDates: SpecialDate[];
  materials: string[];
  services: Bilingual[];
  languages: string[];
  note?: Bilingual;
  isCrisisLine: boolean;
  verifiedOn: string;
  stockOuts: StockOut[];
  /** Set from the bot by workers; survives imports. */
  workerDays?: WorkerDay[];
  workerNote?: WorkerNote;
};

/** Part 7: the words people type beyond the materials' own, as the directory file gives them. */
export type Vocabulary = {
  emergency: string[];
  help: string[];
  greetings: string[];
  thanks: string[];
  placeWords: { place: string; words: string[] }[];
  substances: { words: string[]; materials: string[] }[];
};

export const EMPTY_VOCABULARY: Vocabulary = {
  emergency: [],
  help: [],
  greetings: [],
  thanks: [],
  placeWords: [],
  substances: [],
};

export type Directory = {
  version: number;
  info: DirectoryInfo;
  chequeDays: string[];
  materials: Material[];
  places: Place[];
  organisations: Organisation[];
  sites: Site[];
  vocabulary: Vocabulary;
};
