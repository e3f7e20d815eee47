// The connection: its fields (typed from the generated API types) and each rule Airflow puts on a field, written
// once. A leaf module (type-only imports): the URI codec, the file readers, bulk, prompts, completion and the
// commands all take the rules from here. The validator that words problems is ./validate.ts.
import type { ConnectionBody } from "../api/types.js";

/** The API's connection fields, in the order the server returns them. */
export const CONNECTION_FIELDS = [
  "connection_id",
  "conn_type",
  "description",
  "host",
  "login",
  "schema",
  "port",
  "password",
  "extra",
  "team_name",
] as const satisfies ReadonlyArray<keyof ConnectionBody>;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

/** Field names accepted by update_mask (every field but the id). */
export const UPDATABLE_FIELDS = [
  "conn_type",
  "description",
  "host",
  "login",
  "schema",
  "port",
  "password",
  "extra",
  "team_name",
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
export const isPort = (n: unknown): n is number =>
  typeof n === "number" && Number.isInteger(n) && n >= PORT_MIN && n <= PORT_MAX;

// ---- team name (Airflow 3.2 multi-team)
export const TEAM_NAME_MAX = 50;

/** Length as Python counts it (code points), for the id and team name limits. */
export const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
