// Connection ids for completion: `GET /api/v2/connections?connection_id_pattern=<prefix>&limit=100` with a short
// timeout, through node:http / node:https (npm undici costs ~100 ms to load, and even the global fetch ~80 ms more
// than node:http in a one-request process), and a short-lived cache file
// ($XDG_CACHE_HOME/airconn/ids-<hash>.json, mode 0600, one per API URL + profile). Callers treat any throw as "no ids".
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { cacheDir } from "../paths.js";
import { join } from "node:path";
import { ConfigStore } from "../config/store.js";
import { resolveSettings } from "../config/resolve.js";
import { writeFileAtomic } from "../util/atomic.js";
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

export { cacheDir };

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
    writeFileAtomic(file, JSON.stringify(data), { mode: 0o600 });
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
  const store = new ConfigStore(o.env);
  const s = resolveSettings(o.globals, o.env, store);
  // An MWAA environment (issue 22) would need AWS requests signed at TAB time: no ids from the server there.
  if (s.mwaa) return [];
  // A token as it is: no token request at TAB time for AIRCONN_USERNAME/PASSWORD (the profile's stored token serves
  // if it has one), nor a token command run (it may be slow, or prompt).
  const token =
    s.auth.kind === "token"
      ? s.auth.token.value
      : s.auth.kind === "password"
        ? store.profile(s.profile.value)?.token
        : undefined;
  if (!token) return [];
  const now = o.now ?? Date.now();
  const file = cacheFile(o.env, s.apiUrl.value, s.profile.value);
  const starting = (ids: string[]) => ids.filter((id) => id.startsWith(prefix));

  const cached = readCache(file);
  if (
    cached &&
    now - cached.fetched_at >= 0 &&
    now - cached.fetched_at < IDS_TTL_MS &&
    (prefix === cached.prefix || (cached.complete && prefix.startsWith(cached.prefix)))
  ) {
    return starting(cached.ids);
  }

  // connection_id_pattern is a case-insensitive "contains" with LIKE wildcards: a superset, filtered below.
  // No npm undici and no fetch here: node:http answers a one-request process ~80 ms sooner than the global fetch.
  const url = new URL(`${s.apiUrl.value}/api/v2/connections`);
  url.searchParams.set("limit", String(PAGE));
  url.searchParams.set("order_by", "connection_id");
  if (prefix) url.searchParams.set("connection_id_pattern", prefix);
  const body = JSON.parse(await get(url, token, o.timeoutMs ?? IDS_TIMEOUT_MS)) as {
    connections?: Array<{ connection_id?: unknown }>;
    total_entries?: unknown;
  };
  const ids = (body.connections ?? []).map((c) => c.connection_id).filter((id): id is string => typeof id === "string");
  const complete = typeof body.total_entries === "number" && body.total_entries <= ids.length;
  writeCache(file, cacheDir(o.env), { version: 1, fetched_at: now, prefix, complete, ids });
  return starting(ids);
}

const MAX_BODY = 4 << 20;

/** GET `url` and return the body of a 200 answer; rejects on anything else or after `timeoutMs` in all. */
async function get(url: URL, token: string, timeoutMs: number): Promise<string> {
  // node:https (and tls) only for https URLs.
  const { request } = (
    url.protocol === "https:" ? await import("node:https") : await import("node:http")
  ) as typeof import("node:http");
  return new Promise<string>((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
        if (body.length > MAX_BODY) req.destroy(new Error("answer too large"));
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve(body);
      });
      res.on("error", reject);
      res.on("close", () => reject(new Error("connection closed")));
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}
