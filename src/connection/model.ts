// The connection: its fields (typed from the generated API types) and each rule Airflow puts on a field, written
// once. A leaf module (type-only imports): the URI codec, the file readers, bulk, prompts, completion and the
// commands all take the rules from here. The validator that words problems is ./validate.ts.
import type { ConnectionBody } from "../api/types.js";

/** The API's connection fields, in the order the server returns them. */
export const CONNECTION_FIELDS = [
  "connection_id", "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name",
] as const satisfies ReadonlyArray<keyof ConnectionBody>;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

/** Field names accepted by update_mask (every field but the id). */
export const UPDATABLE_FIELDS = [
  "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name",
] as const satisfies ReadonlyArray<keyof ConnectionBody>;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

/** The fields a command can set (API names), without connection_id. */
export type Fields = Omit<ConnectionBody, "connection_id">;
export type FieldName = keyof Fields;

/** The fields that hold text (or null). */
export const STRING_FIELDS = ["conn_type", "description", "host", "login", "schema", "password", "team_name"] as const;

/** The value the server shows instead of a secret. */
export const REDACTED = "***";

// ---- connection id
/** Airflow's REST rule for connection ids: ^[\w.-]+$ with Unicode \w. */
export const CONNECTION_ID_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}.-]+$/u;
/** At most this many characters (code points, as Python counts them) in an id sent in a body. */
export const CONNECTION_ID_MAX = 200;
/** Airflow's model rule (RE_SANITIZE_CONN_ID, `^[\w#!()\-.:/\\]+$`): what an id made outside the API may hold. */
export const STORED_ID_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}#!().:\\-]+$/u;
export const STORED_ID_MAX = 250;

// ---- port
export const PORT_MIN = 0;
export const PORT_MAX = 65535;
/** "0-65535", for messages. */
export const PORT_RANGE = `${PORT_MIN}-${PORT_MAX}`;
export const isPort = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= PORT_MIN && n <= PORT_MAX;

// ---- team name (Airflow 3.2 multi-team)
export const TEAM_NAME_MAX = 50;

/** Length as Python counts it (code points), for the id and team name limits. */
export const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

// ---- server versions
/**
 * Airflow 3.3 or newer (3.4.0, released 2026-11-06, changed nothing known in the connections API), where the connections
 * API gained connection_id_prefix_pattern, tests on a worker and more sensitive words: the one check for those (an
 * unknown version counts as older).
 */
export const isAirflow33 = (v: { major: number; minor: number } | undefined): boolean =>
  v !== undefined && (v.major > 3 || (v.major === 3 && v.minor >= 3));

/**
 * Airflow 3.2 or newer: `|` in connection_id_pattern means "either" (3.0 and 3.1 take the whole value as one term,
 * which no id can match), and the sensitive words gained access_key, connection_string, proxy, proxies. An unknown
 * version counts as older.
 */
export const isAirflow32 = (v: { major: number; minor: number } | undefined): boolean =>
  v !== undefined && (v.major > 3 || (v.major === 3 && v.minor >= 2));
