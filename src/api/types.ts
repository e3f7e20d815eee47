// The only importer of the generated spec types: aliases the rest of the code uses.
import type { components } from "./generated/airflow.js";

type S = components["schemas"];
export type ConnectionResponse = S["ConnectionResponse"];
export type ConnectionBody = S["ConnectionBody"];
export type ConnectionCollectionResponse = S["ConnectionCollectionResponse"];
export type ConnectionTestResponse = S["ConnectionTestResponse"];
export type BulkBody = S["BulkBody_ConnectionBody_"];
export type BulkResponse = S["BulkResponse"];
export type BulkActionResponse = S["BulkActionResponse"];
export type BulkCreateAction = S["BulkCreateAction_ConnectionBody_"];
export type BulkUpdateAction = S["BulkUpdateAction_ConnectionBody_"];
export type BulkDeleteAction = S["BulkDeleteAction_ConnectionBody_"];

/** The API's connection fields, in the order the server returns them. */
export const CONNECTION_FIELDS = [
  "connection_id", "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name",
] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

/** Field names accepted by update_mask. */
export const UPDATABLE_FIELDS = [
  "conn_type", "description", "host", "login", "schema", "port", "password", "extra", "team_name",
] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

/** Fields `order_by` accepts (plus a leading "-" for descending). */
export const ORDER_BY_FIELDS = ["connection_id", "conn_id", "conn_type", "description", "host", "port", "id", "team_name"] as const;

/** The value the server shows instead of a secret. */
export const REDACTED = "***";

/** Airflow's REST rule for connection ids: ^[\w.-]+$ with Unicode \w, at most 200 characters. */
export const CONNECTION_ID_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}.-]+$/u;
export const CONNECTION_ID_MAX = 200;
