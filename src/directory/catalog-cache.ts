import type { Executor } from "../db/executor";
import { buildCatalog, type Catalog } from "./catalog";
import { getDirectoryVersion, loadDirectory } from "./store";

/**
 * Keeps one built catalog per process. Each read costs one small query (the version), so an import or
 * a worker's change made by another process is seen on the next update; the full reload happens only
 * when the version moved. Concurrent readers share one reload.
 */
export class CatalogCache {
  private current: Catalog | undefined;
  private loading: Promise<Catalog | undefined> | undefined;

  /**
   * `knownVersion`: the version this update already read (its snapshot); the query is then skipped. Pass
   * it only where nothing in the update has changed the directory before.
   */
  async get(db: Executor, knownVersion?: number): Promise<Catalog | undefined> {
    const version = knownVersion ?? (await getDirectoryVersion(db));
    if (version === undefined) return undefined;
    if (this.current && this.current.directory.version === version) return this.current;
    this.loading ??= this.reload(db).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * For the emergency card and error replies: the fresh catalog when the database answers, else the
   * last one this process saw, so an outage never hides 911 and the crisis lines.
   */
  async getOrLastKnown(db: Executor): Promise<Catalog | undefined> {
    try {
      return await this.get(db);
    } catch (error) {
      if (this.current) return this.current;
      throw error;
    }
  }

  lastKnown(): Catalog | undefined {
    return this.current;
  }

  private async reload(db: Executor): Promise<Catalog | undefined> {
    const directory = await loadDirectory(db);
    this.current = directory ? buildCatalog(directory) : undefined;
    return this.current;
  }
}
