// Which Airflow airconn talks to: GET /api/v2/version (no token needed), cached per API URL for a few minutes in the
// user's cache folder ($XDG_CACHE_HOME/airconn/server-<hash>.json, 0600, beside the completion id cache), so a
// command whose behaviour depends on the version makes no extra request in the common case.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../paths.js";
import { writeFileAtomic } from "../util/atomic.js";
import type { VersionInfo } from "./types.js";
import { parseVersion, type ServerVersion } from "./versions.js";

export const VERSION_TTL_MS = 5 * 60_000;

interface CacheFile {
  version: 1;
  api_url: string;
  fetched_at: number;
  server_version: string;
  git_version: string | null;
}

export function versionCacheFile(env: NodeJS.ProcessEnv, apiUrl: string): string {
  const key = createHash("sha256").update(apiUrl).digest("hex").slice(0, 16);
  return join(cacheDir(env), `server-${key}.json`);
}

export interface ReadVersionOptions {
  /** Where the cache folder is (XDG_CACHE_HOME...); without it there is no cache. */
  env: NodeJS.ProcessEnv | undefined;
  apiUrl: string;
  fetch: () => Promise<VersionInfo>;
  now?: number;
  ttlMs?: number;
  /** Skip the cache (status): ask the server, then refresh the cache. */
  fresh?: boolean;
}

/** The server's version: from the cache when fresh, else from the server. Throws when the server cannot tell. */
export async function readServerVersion(o: ReadVersionOptions): Promise<ServerVersion> {
  const now = o.now ?? Date.now();
  const file = o.env && versionCacheFile(o.env, o.apiUrl);
  if (file && !o.fresh) {
    try {
      const c = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
      const age = now - c.fetched_at;
      if (c.version === 1 && c.api_url === o.apiUrl && age >= 0 && age < (o.ttlMs ?? VERSION_TTL_MS)) {
        const v = parseVersion(c.server_version, c.git_version);
        if (v) return v;
      }
    } catch {
      /* no cache, or unreadable: ask the server */
    }
  }
  const info = await o.fetch();
  const v = typeof info?.version === "string" ? parseVersion(info.version, info.git_version ?? null) : undefined;
  if (!v) throw new Error(`the server's version answer is not a version: ${JSON.stringify(info).slice(0, 100)}`);
  if (!file) return v;
  try {
    mkdirSync(cacheDir(o.env!), { recursive: true, mode: 0o700 });
    const data: CacheFile = {
      version: 1,
      api_url: o.apiUrl,
      fetched_at: now,
      server_version: v.version,
      git_version: v.gitVersion,
    };
    writeFileAtomic(file, JSON.stringify(data), { mode: 0o600 });
  } catch {
    /* a cache we cannot write only costs the next command one request */
  }
  return v;
}
