// Small helpers shared by commands.
import { UsageError } from "../errors.js";
import { idProblem, storedIdProblem } from "../connection/validate.js";

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

export const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
