// Which connection-type catalog a command uses: the server's (`GET /ui/connections/hook_meta`, cached per API URL and
// server version for a day, see cache.ts), or, when the server has none to give, the one bundled with airconn. The
// route is a private UI route: a 401/403 (no token, a token refused, no permission to read connections), a 404 (an
// older or locked-down server), an unreachable server, an answer of another shape all give the bundled catalog with
// the reason in its source and one --verbose line, never an error. Ctrl-C still stops it.
import type { AirflowApi } from "../api/client.js";
import { AirconnError, ApiError, NetworkError, NotAirflowApiError, oneLine } from "../errors.js";
import { bundledCatalog } from "./bundled.js";
import { CATALOG_TTL_MS, cachedCatalog, readCatalogCache, writeCatalogCache } from "./cache.js";
import type { Catalog } from "./model.js";
import { CatalogShapeError, parseHookMeta } from "./parse.js";

export { cachedOrBundledCatalog } from "./cache.js";

/** What loadCatalog needs of a command's Deps (a structural subset: commands pass their Deps). */
export interface CatalogDeps {
  env: NodeJS.ProcessEnv;
  globals: { verbose?: boolean };
  io: { err(s: string): void };
  signal: AbortSignal;
  api(): Promise<AirflowApi>;
  now(): number;
}

export interface LoadCatalogOptions {
  /** Ask the server even when the cache holds a fresh answer, and rewrite the cache (`airconn types --refresh`). */
  refresh?: boolean;
}

export const HOOK_META_PATH = "/ui/connections/hook_meta";
const WRONG_URL = "the API URL does not answer as the Airflow API (`airconn status` says more)";

/** Why the server gave no catalog: a short reason (for the source note) and the detail (for the --verbose line). */
interface NoCatalog {
  reason: string;
  detail: string;
  /** A property of the server (no route, another shape): remembered in the cache like a catalog. */
  lasting: boolean;
}

function noCatalog(e: unknown): NoCatalog | undefined {
  const msg = (e: Error) => oneLine(e.message);
  if (e instanceof CatalogShapeError)
    return { reason: "the server's answer has a shape airconn does not know", detail: e.message, lasting: true };
  if (e instanceof NotAirflowApiError) {
    return e.kind === "route" || e.status === 404
      ? { reason: `the server has no ${HOOK_META_PATH} (${e.status})`, detail: msg(e), lasting: true }
      : { reason: "the answer was not the Airflow API's", detail: msg(e), lasting: false };
  }
  if (e instanceof ApiError) {
    const why =
      e.status === 404
        ? `the server has no ${HOOK_META_PATH} (404)`
        : e.auth === "expired" || e.auth === "refused"
          ? `the server refused the token (${e.status})`
          : e.auth === "forbidden"
            ? `the server did not allow reading it (${e.status})`
            : `the server answered ${e.status}`;
    return { reason: why, detail: `${e.status} ${msg(e)}`, lasting: e.status === 404 };
  }
  if (e instanceof NetworkError) return { reason: "the server could not be reached", detail: msg(e), lasting: false };
  // no token, a settings problem (AuthError, UsageError): the catalog is not worth failing a command for
  if (e instanceof AirconnError) return { reason: oneLine(e.message), detail: msg(e), lasting: false };
  return undefined;
}

/**
 * The catalog for this run: the server's (cached, or fetched and cached), else the bundled one with the reason.
 * Throws only on Ctrl-C (the abort) or a bug.
 */
export async function loadCatalog(d: CatalogDeps, o: LoadCatalogOptions = {}): Promise<Catalog> {
  const fallback = (why: NoCatalog): Catalog => {
    if (d.globals.verbose)
      d.io.err(`* connection types: using the catalog bundled with airconn: ${why.reason} (${why.detail})\n`);
    return bundledCatalog(why.reason);
  };
  const orFallback = (e: unknown): Catalog => {
    if (d.signal.aborted) throw e;
    const why = noCatalog(e);
    if (!why) throw e;
    return fallback(why);
  };

  let api: AirflowApi;
  try {
    api = await d.api();
  } catch (e) {
    return orFallback(e);
  }
  const apiUrl = api.baseUrl;
  const serverVersion = (await api.serverVersion())?.version ?? null;
  const now = d.now();

  if (!o.refresh) {
    const c = readCatalogCache(d.env, apiUrl);
    const age = c ? now - c.fetched_at : -1;
    if (c && c.server_version === serverVersion && age >= 0 && age < CATALOG_TTL_MS) {
      if (c.types !== null) return cachedCatalog({ ...c, types: c.types });
      return fallback({
        reason: `${c.reason ?? "the server had no catalog"}; remembered, \`airconn types --refresh\` asks again`,
        detail: `cached ${Math.round(age / 60_000)} min ago`,
        lasting: true,
      });
    }
  }

  const base = { version: 1 as const, api_url: apiUrl, server_version: serverVersion, fetched_at: now };
  try {
    const types = parseHookMeta(await api.hookMeta());
    writeCatalogCache(d.env, { ...base, types });
    const source: Catalog["source"] = { kind: "server", apiUrl, fetchedAt: now, cached: false };
    if (serverVersion !== null) source.serverVersion = serverVersion;
    return { source, types };
  } catch (e) {
    // No version either, and something that is not the Airflow API: a wrong URL, not an old server (not remembered).
    if (!d.signal.aborted && serverVersion === null && e instanceof NotAirflowApiError)
      return fallback({ reason: WRONG_URL, detail: oneLine(e.message), lasting: false });
    const why = !d.signal.aborted ? noCatalog(e) : undefined;
    if (why?.lasting) writeCatalogCache(d.env, { ...base, types: null, reason: why.reason });
    return orFallback(e);
  }
}
