// The one mapping between a connection URI and connection fields, on top of ./index.ts (Airflow's codec).
import { buildConnectionUri, parseConnectionUri, type QueryTyping, type UriFields } from "./index.js";
import type { ConnectionBody } from "../api/types.js";
import type { Fields } from "../connection/model.js";

export type { UriFields };
const URI_FIELDS = ["host", "login", "password", "port", "schema", "extra"] as const;

/** Every field a URI carries, as Airflow stores them (null where the URI has none). Throws UsageError. */
export function uriFields(uri: string, queryValues?: QueryTyping): UriFields {
  return parseConnectionUri(uri, queryValues ? { queryValues } : undefined);
}

/** The fields a URI gives, leaving out the empty ones (for a body that sets only what the URI says). */
export function fieldsFromUri(uri: string, queryValues?: QueryTyping): Partial<Fields> & { conn_type: string } {
  const u = uriFields(uri, queryValues);
  const f: Partial<Fields> & { conn_type: string } = { conn_type: u.conn_type ?? "" };
  for (const k of URI_FIELDS) {
    const v = u[k];
    if (v !== null && v !== "") (f as Record<string, unknown>)[k] = v;
  }
  return f;
}

/** The URI Airflow's Connection.get_uri() writes for a connection. */
export function uriFromFields(c: Partial<ConnectionBody>): string {
  return buildConnectionUri(c as Partial<UriFields>);
}
