// The server's connection-type catalog, cached on disk: $XDG_CACHE_HOME/airconn/catalog-<hash of the API URL>.json,
// mode 0600, written atomically, valid for CATALOG_TTL_MS and only for the server version it was read from. It also
// remembers, as long, that a server has no catalog to give (no route, an answer of another shape), so commands that
// consult the catalog do not ask again on every run. No network here: completion reads it through
// cachedOrBundledCatalog.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../paths.js";
import { writeFileAtomic } from "../util/atomic.js";
import { bundledCatalog } from "./bundled.js";
import type { Catalog, ConnectionTypeInfo } from "./model.js";

export const CATALOG_TTL_MS = 24 * 60 * 60_000;

export interface CatalogCacheFile {
  version: 1;
  api_url: string;
  /** The Airflow version the catalog was read from; null when it could not be read. */
  server_version: string | null;
  fetched_at: number;
  /** The catalog; null: the server had none to give (`reason` says why). */
  types: ConnectionTypeInfo[] | null;
  reason?: string;
}

export function catalogCacheFile(env: NodeJS.ProcessEnv, apiUrl: string): string {
  const key = createHash("sha256").update(apiUrl).digest("hex").slice(0, 16);
  return join(cacheDir(env), `catalog-${key}.json`);
}

/** The cache file of this API URL as written, or undefined (none, unreadable, another format or URL). */
export function readCatalogCache(env: NodeJS.ProcessEnv, apiUrl: string): CatalogCacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(catalogCacheFile(env, apiUrl), "utf8")) as CatalogCacheFile;
    if (c?.version !== 1 || c.api_url !== apiUrl || typeof c.fetched_at !== "number") return undefined;
    if (c.types !== null && !Array.isArray(c.types)) return undefined;
    return c;
  } catch {
    return undefined;
  }
}

/** Writes the cache; a cache that cannot be written only costs the next run a request. */
export function writeCatalogCache(env: NodeJS.ProcessEnv, data: CatalogCacheFile): void {
  try {
    mkdirSync(cacheDir(env), { recursive: true, mode: 0o700 });
    writeFileAtomic(catalogCacheFile(env, data.api_url), JSON.stringify(data), { mode: 0o600 });
  } catch {
    /* see above */
  }
}

/** A server catalog from the cache (no network). */
export function cachedCatalog(c: CatalogCacheFile & { types: ConnectionTypeInfo[] }): Catalog {
  const source: Catalog["source"] = { kind: "server", apiUrl: c.api_url, fetchedAt: c.fetched_at, cached: true };
  if (c.server_version !== null) source.serverVersion = c.server_version;
  return { source, types: c.types };
}

/**
 * For completion and other places that must not wait on the network: the server's catalog when the cache holds one
 * for this API URL (whatever its age: the types of a server rarely change), else the bundled one.
 */
export function cachedOrBundledCatalog(env: NodeJS.ProcessEnv, apiUrl?: string): Catalog {
  const c = apiUrl === undefined ? undefined : readCatalogCache(env, apiUrl);
  if (c && c.types !== null) return cachedCatalog({ ...c, types: c.types });
  return bundledCatalog(c?.reason ?? "no server catalog in the cache");
}
