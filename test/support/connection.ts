// A ConnectionResponse as the server returns it: every field present, null unless given (id "c", type "http").
import type { ConnectionResponse } from "../../src/api/types.js";

export const connection = (over: Partial<ConnectionResponse> = {}): ConnectionResponse => ({
  connection_id: "c",
  conn_type: "http",
  description: null,
  host: null,
  login: null,
  schema: null,
  port: null,
  password: null,
  extra: null,
  team_name: null,
  ...over,
});
