// Writers for the three formats `airflow connections export` writes (airflow/cli/commands/connection_command.py
// `_format_connections`), byte for byte, as streams: begin() + item()… + end() is the whole document.

import type { ConnectionResponse } from "../api/types.js";
import { pyQuote } from "../util/pyjson.js";
import { buildConnectionUri } from "../uri/index.js";
import { dumpMappingEntry, type YamlLeaf } from "./pyyaml.js";

export type ExportFormat = "json" | "yaml" | "env";

export interface ExportWriter {
  begin(): string;
  item(conn: ConnectionResponse): string;
  end(): string;
}

/** `_connection_to_dict` key order. */
const DICT_KEYS = ["conn_type", "description", "login", "password", "host", "port", "schema", "extra"] as const;
type DictKey = (typeof DICT_KEYS)[number];

function toDict(c: ConnectionResponse): Record<DictKey, string | number | null> {
  const d = {} as Record<DictKey, string | number | null>;
  for (const k of DICT_KEYS) {
    const v = c[k];
    d[k] = v === undefined ? null : v;
  }
  return d;
}

function pyScalarJson(v: string | number | null): string {
  if (v === null) return "null";
  if (typeof v === "number") return String(v);
  return pyQuote(v);
}

/** The export format for a file name: .json .yaml .env (any case); .yml is not accepted, as in Airflow. */
export function exportFormatFromFileName(name: string): ExportFormat | undefined {
  const m = /\.([^./\\]+)$/.exec(name);
  const ext = m ? m[1]!.toLowerCase() : "";
  return ext === "json" || ext === "yaml" || ext === "env" ? ext : undefined;
}

/**
 * A streaming writer.
 * - json: `json.dumps({id: dict}, indent=2)` — no trailing newline (Airflow writes the string as is); `{}` when empty.
 * - yaml: `yaml.dump({id: dict})` — ends with "\n"; `{}\n` when empty. PyYAML sorts the top-level ids too:
 *   the writer keeps the order it is given, so give it connections sorted by id (see comparePy).
 * - env: `id=<get_uri()>\n` per connection, or `id=<json.dumps(dict)>\n` with serialization "json".
 */
export function exportWriter(format: ExportFormat, opts: { serialization?: "uri" | "json" } = {}): ExportWriter {
  let count = 0;
  if (format === "json") {
    return {
      begin: () => "",
      item: (c) => {
        const d = toDict(c);
        const body = DICT_KEYS.map((k) => `    ${pyQuote(k)}: ${pyScalarJson(d[k])}`).join(",\n");
        return `${count++ === 0 ? "{\n" : ",\n"}  ${pyQuote(c.connection_id)}: {\n${body}\n  }`;
      },
      end: () => (count === 0 ? "{}" : "\n}"),
    };
  }
  if (format === "yaml") {
    return {
      begin: () => "",
      item: (c) => {
        count++;
        return dumpMappingEntry(c.connection_id, toDict(c) as Record<string, YamlLeaf>);
      },
      end: () => (count === 0 ? "{}\n" : ""),
    };
  }
  const serialization = opts.serialization ?? "uri";
  return {
    begin: () => "",
    item: (c) => {
      if (serialization === "json") {
        const d = toDict(c);
        return `${c.connection_id}={${DICT_KEYS.map((k) => `${pyQuote(k)}: ${pyScalarJson(d[k])}`).join(", ")}}\n`;
      }
      return `${c.connection_id}=${buildConnectionUri({
        conn_type: c.conn_type ?? null,
        host: c.host ?? null,
        login: c.login ?? null,
        password: c.password ?? null,
        port: c.port ?? null,
        schema: c.schema ?? null,
        extra: c.extra ?? null,
      })}\n`;
    },
    end: () => "",
  };
}

/** Convenience: the whole document at once. */
export function formatExport(
  format: ExportFormat,
  conns: Iterable<ConnectionResponse>,
  opts?: { serialization?: "uri" | "json" },
): string {
  const w = exportWriter(format, opts);
  let out = w.begin();
  for (const c of conns) out += w.item(c);
  return out + w.end();
}
