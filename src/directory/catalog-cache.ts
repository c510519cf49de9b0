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

  async get(db: Executor): Promise<Catalog | undefined> {
    const version = await getDirectoryVersion(db);
    if (version === undefined) return undefined;
    if (this.current && this.current.directory.version === version) return this.current;
    this.loading ??= this.reload(db).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async reload(db: Executor): Promise<Catalog | undefined> {
    const directory = await loadDirectory(db);
    this.current = directory ? buildCatalog(directory) : undefined;
    return this.current;
  }
}
