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

/** Fields `order_by` accepts (plus a leading "-" for descending). */
export const ORDER_BY_FIELDS = [
  "connection_id",
  "conn_id",
  "conn_type",
  "description",
  "host",
  "port",
  "id",
  "team_name",
] as const;
// The connection's fields and rules: src/connection/model.ts.

// Airflow 3.3 (openapi-v2-3.3-connections.yaml): tests on a worker. Not in the generated 3.2.1 types.
export type ConnectionTestState = "pending" | "queued" | "running" | "success" | "failed";
export const TERMINAL_TEST_STATES: readonly ConnectionTestState[] = ["success", "failed"];
export interface ConnectionTestRequestBody extends ConnectionBody {
  commit_on_success?: boolean;
  executor?: string | null;
  queue?: string | null;
}
export interface ConnectionTestQueuedResponse {
  token: string;
  connection_id: string;
  state: ConnectionTestState;
}
export interface AsyncConnectionTestResponse {
  token: string;
  connection_id: string;
  state: ConnectionTestState;
  result_message?: string | null;
  created_at?: string;
}
/** GET /api/v2/version (no auth). */
export interface VersionInfo {
  version: string;
  git_version?: string | null;
}
