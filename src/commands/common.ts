// Small helpers shared by commands.
import { UsageError } from "../errors.js";
import { CONNECTION_ID_MAX, CONNECTION_ID_RE } from "../api/types.js";

/** Checks a connection id against Airflow's REST rule before any request is sent. */
export function checkConnectionId(id: string, what = "connection id"): string {
  if (id.length === 0) throw new UsageError(`the ${what} is empty`);
  if (id.length > CONNECTION_ID_MAX) throw new UsageError(`the ${what} is ${id.length} characters long: Airflow allows at most ${CONNECTION_ID_MAX}`);
  if (id.includes("/")) {
    throw new UsageError(`the ${what} "${id}" contains "/", which the Airflow API cannot address in a URL path`,
      `such ids come from secrets backends or the Airflow CLI; delete one with a bulk file: echo '{"actions": [{"action": "delete", "entities": [${JSON.stringify(id)}]}]}' | airconn bulk -`);
  }
  if (!CONNECTION_ID_RE.test(id)) {
    throw new UsageError(`invalid ${what} "${id}": use letters, digits, '_', '.' and '-' only`);
  }
  return id;
}

/** Airflow's model rule (RE_SANITIZE_CONN_ID, `^[\w#!()\-.:/\\]+$`, at most 250): no stored id can break it. */
const STORED_ID_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}#!().:\\-]+$/u;

/**
 * Reads a connection id for a read-only path (GET/DELETE): ids with characters the REST body rejects (#, !, (, ), :, \)
 * may still exist, made by the Airflow CLI; an id no Airflow connection can have is refused before any request.
 */
export function checkPathId(id: string): string {
  if (id.length === 0) throw new UsageError("the connection id is empty");
  if (id.includes("/")) return checkConnectionId(id);
  if (id.length > 250) throw new UsageError(`the connection id is ${id.length} characters long: Airflow allows at most 250`);
  if (!STORED_ID_RE.test(id)) {
    throw new UsageError(`invalid connection id ${JSON.stringify(id)}: an Airflow connection id holds only letters, digits, '_', '.', '-' (and '#', '!', '(', ')', ':', '\\' when made outside the API)`);
  }
  return id;
}

export const examples = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
