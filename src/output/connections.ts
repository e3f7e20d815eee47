// Connections as the commands show them: a list (one row each) or one connection (one field per line).
import type { ConnectionResponse } from "../api/types.js";
import { CONNECTION_FIELDS } from "../connection/model.js";
import type { OutputOptions } from "./format.js";
import type { IO } from "./io.js";
import { plainCell, render, type Column } from "./render.js";

/** The columns of `list`; a cell never holds a tab or a newline. */
export const LIST_COLUMNS: ReadonlyArray<Column<ConnectionResponse>> = (
  [
    ["ID", "connection_id"],
    ["TYPE", "conn_type"],
    ["HOST", "host"],
    ["PORT", "port"],
    ["LOGIN", "login"],
    ["SCHEMA", "schema"],
    ["DESCRIPTION", "description"],
  ] as const
).map(([header, k]) => ({ header, value: (c: ConnectionResponse) => plainCell(c[k]) }));

export async function renderConnections(io: IO, list: ConnectionResponse[], o: OutputOptions): Promise<void> {
  await render(io, o, { kind: "rows", rows: list, columns: LIST_COLUMNS });
}

/** One connection: one field per line in table/plain, an object in json/yaml. Fields in the API's order. */
export async function renderConnection(io: IO, c: ConnectionResponse, o: OutputOptions): Promise<void> {
  const full = Object.fromEntries(CONNECTION_FIELDS.map((k) => [k, c[k] ?? null]));
  await render(io, o, {
    kind: "record",
    entries: CONNECTION_FIELDS.map((k) => [k, full[k]] as const),
    document: full,
    boldKeys: true,
  });
}
