// Small helpers shared by commands.
import { UsageError } from "../errors.js";
import { idProblem, storedIdProblem } from "../connection/validate.js";
import type { Deps } from "../deps.js";
import { SENSITIVE_WORDS, sensitiveWordsFor, versionDependentKey, type SensitiveWords } from "../connection/secrets.js";
import type { AirflowApi } from "../api/client.js";

/** Checks a connection id against Airflow's REST rule before any request is sent. */
export function checkConnectionId(id: string, what = "connection id"): string {
  const p = idProblem(id, { context: "flag", path: what }, what);
  if (p) {
    throw new UsageError(
      p.message,
      id.includes("/") && p.message.includes('contains "/"')
        ? `such ids come from secrets backends or the Airflow CLI; delete one with a bulk file: echo '{"actions": [{"action": "delete", "entities": [${JSON.stringify(id)}]}]}' | airconn bulk -`
        : undefined,
    );
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
 * The run's Airflow as a client without its token: for its version (AirflowApi.serverVersion), which a command that
 * only adapts to it reads before any token is obtained (a token command run, a login).
 */
export const airflowServer = (d: Deps): Promise<AirflowApi> => d.apiFor(d.settings().apiUrl.value);

/**
 * The sensitive words to judge these extra keys by: the server's list when a key is judged differently by Airflow
 * 3.2 and 3.3 (then the server's version is read, usually from the cache), else the common list without a request.
 */
export async function sensitiveWordsForKeys(d: Deps, keys: Iterable<string>): Promise<SensitiveWords> {
  for (const k of keys) {
    if (versionDependentKey(k)) return sensitiveWordsFor(await (await airflowServer(d)).serverVersion());
  }
  return SENSITIVE_WORDS;
}
