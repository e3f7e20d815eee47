// Small helpers shared by commands.
import { UsageError } from "../errors.js";
import { idProblem, storedIdProblem } from "../connection/validate.js";
import type { Deps } from "../deps.js";
import { SENSITIVE_WORDS, sensitiveWordsFor, versionDependentKey, type SensitiveWords } from "../connection/secrets.js";
import { isAirflow32, isAirflow33 } from "../connection/model.js";
import { patternNeedsVersion, patternQuery } from "../util/pattern.js";

/** Checks a connection id against Airflow's REST rule before any request is sent. */
export function checkConnectionId(id: string, what = "connection id"): string {
  const p = idProblem(id, { context: "flag", path: what }, what);
  if (p) {
    throw new UsageError(p.message, id.includes("/") && p.message.includes('contains "/"')
      ? `such ids come from secrets backends or the Airflow CLI; delete one with a bulk file: echo '{"actions": [{"action": "delete", "entities": [${JSON.stringify(id)}]}]}' | airconn bulk -`
      : undefined);
  }
  return id;
}

/**
 * Reads a connection id for a read-only path (GET/DELETE): ids with characters the REST body rejects (#, !, (, ), :, \)
 * may still exist, made by the Airflow CLI; an id no Airflow connection can have is refused before any request.
 */
export function checkPathId(id: string): string {
  if (id.includes("/")) return checkConnectionId(id);
  const p = storedIdProblem(id, { context: "flag", path: "connection id" });
  if (p) throw new UsageError(p.message);
  return id;
}

export { examples } from "./kit.js";

/**
 * The sensitive words to judge these extra keys by: the server's list when a key is judged differently by Airflow
 * 3.2 and 3.3 (then the server's version is read, usually from the cache), else the common list without a request.
 */
export async function sensitiveWordsForKeys(d: Deps, keys: Iterable<string>): Promise<SensitiveWords> {
  for (const k of keys) {
    if (versionDependentKey(k)) return sensitiveWordsFor(await d.serverVersion());
  }
  return SENSITIVE_WORDS;
}

export { isAirflow33 };

/**
 * The listing query for --pattern/--prefix: the prefix goes to the server only when it knows the parameter (3.3; a
 * 3.2 server ignores it and answers everything), and is applied by airconn in every case (AirflowApi.pages). A
 * pattern with "|" terms goes whole to a server that ORs them (3.2 and newer), else term by term (patternQuery).
 * The server's version is read (usually from the cache) only when one of them needs it.
 */
export async function listScope(d: Deps, o: { pattern?: string; prefix?: string }): Promise<ListScope> {
  const v = o.prefix !== undefined || patternNeedsVersion(o.pattern) ? await d.serverVersion() : undefined;
  return scopeFor(o, v);
}

export interface ListScope { pattern?: string; patternTerms?: string[]; prefix?: string; prefixOnServer?: boolean }

/** listScope for a server of a known (or unknown: undefined) version. */
export function scopeFor(o: { pattern?: string; prefix?: string }, v: { major: number; minor: number } | undefined): ListScope {
  const pattern = patternQuery(o.pattern, isAirflow32(v));
  if (o.prefix === undefined) return pattern;
  return { ...pattern, prefix: o.prefix, prefixOnServer: isAirflow33(v) };
}
