// Connection ids for completion: `GET /api/v2/connections?connection_id_pattern=<prefix>&limit=100` with a short
// timeout, through Node's global fetch (npm undici costs ~100 ms to load), and a short-lived cache file
// ($XDG_CACHE_HOME/airconn/ids-<hash>.json, mode 0600, one per API URL + profile). Callers treat any throw as "no ids".
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { ConfigStore } from "../config/store.js";
import { resolveSettings } from "../config/resolve.js";
import type { TypedGlobals } from "./engine.js";

export const IDS_TTL_MS = 60_000;
export const IDS_TIMEOUT_MS = 800;
const PAGE = 100;

interface CacheFile {
  version: 1;
  fetched_at: number;
  /** The prefix the ids were fetched for. */
  prefix: string;
  /** True when `ids` holds every id that contains `prefix` (the server had no more). */
  complete: boolean;
  ids: string[];
}

export function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), ".cache");
  return join(base, "airconn");
}

export function cacheFile(env: NodeJS.ProcessEnv, apiUrl: string, profile: string): string {
  const key = createHash("sha256").update(`${apiUrl}\n${profile}`).digest("hex").slice(0, 16);
  return join(cacheDir(env), `ids-${key}.json`);
}

function readCache(file: string): CacheFile | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
    return c?.version === 1 && Array.isArray(c.ids) && typeof c.prefix === "string" ? c : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, dir: string, data: CacheFile): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // a cache we cannot write only costs the next TAB a request
  }
}

export interface IdsOptions {
  env: NodeJS.ProcessEnv;
  globals: TypedGlobals;
  now?: number;
  timeoutMs?: number;
}

/** Ids starting with `prefix` (at most 100 from the server per prefix); throws on any problem. */
export async function connectionIds(prefix: string, o: IdsOptions): Promise<string[]> {
  const s = resolveSettings(o.globals, o.env, new ConfigStore(o.env));
  const token = s.token?.value;
  if (!token) return []; // AIRCONN_USERNAME/PASSWORD alone: no token request at TAB time
  const now = o.now ?? Date.now();
  const file = cacheFile(o.env, s.apiUrl.value, s.profile.value);
  const starting = (ids: string[]) => ids.filter((id) => id.startsWith(prefix));

  const cached = readCache(file);
  if (cached && now - cached.fetched_at >= 0 && now - cached.fetched_at < IDS_TTL_MS && (prefix === cached.prefix || (cached.complete && prefix.startsWith(cached.prefix)))) {
    return starting(cached.ids);
  }

  // connection_id_pattern is a case-insensitive "contains" with LIKE wildcards: a superset, filtered below.
  const url = new URL(`${s.apiUrl.value}/api/v2/connections`);
  url.searchParams.set("limit", String(PAGE));
  url.searchParams.set("order_by", "connection_id");
  if (prefix) url.searchParams.set("connection_id_pattern", prefix);
  // fetch parses HTTP with WebAssembly; compiling it only with the baseline tier saves ~80 ms in a one-request process.
  setFlagsFromString("--liftoff-only");
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    signal: AbortSignal.timeout(o.timeoutMs ?? IDS_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { connections?: Array<{ connection_id?: unknown }>; total_entries?: unknown };
  const ids = (body.connections ?? []).map((c) => c.connection_id).filter((id): id is string => typeof id === "string");
  const complete = typeof body.total_entries === "number" && body.total_entries <= ids.length;
  writeCache(file, cacheDir(o.env), { version: 1, fetched_at: now, prefix, complete, ids });
  return starting(ids);
}
