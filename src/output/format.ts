// Output formats, chosen once: table on a terminal, tab-separated plain when piped, json or yaml on request.
import { UsageError } from "../errors.js";
import type { IO } from "./io.js";
import type { ConnectionResponse } from "../api/types.js";
import { CONNECTION_FIELDS } from "../connection/model.js";

export const FORMATS = ["table", "plain", "json", "yaml"] as const;
export type Format = (typeof FORMATS)[number];

export interface OutputOptions { format: Format; color: boolean }

export function resolveFormat(flag: string | undefined, io: IO): Format {
  if (flag === undefined) return io.stdoutIsTTY ? "table" : "plain";
  if (!(FORMATS as readonly string[]).includes(flag)) {
    throw new UsageError(`unknown output format "${flag}": use one of ${FORMATS.join(", ")}`);
  }
  return flag as Format;
}

export function useColor(io: IO, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  return io.stdoutIsTTY && !noColorFlag && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
}

/** A cell for plain output: tabs and newlines would break `cut`/`awk`, so they become spaces. */
export const plainCell = (v: unknown): string => (v === null || v === undefined ? "" : String(v).replace(/[\t\r\n]+/g, " "));

export const LIST_COLUMNS: Array<[string, keyof ConnectionResponse]> = [
  ["ID", "connection_id"], ["TYPE", "conn_type"], ["HOST", "host"], ["PORT", "port"],
  ["LOGIN", "login"], ["SCHEMA", "schema"], ["DESCRIPTION", "description"],
];

/** chalk at a fixed level: whether to colour was already decided (terminal, NO_COLOR, --no-color). */
export async function colors() {
  const { Chalk } = await import("chalk");
  return new Chalk({ level: 1 });
}

export async function toYaml(value: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(value, { lineWidth: 0 });
}

export const toJson = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";

/** Renders rows as an aligned table with a header (terminal) — borderless, like gh. */
export async function renderTable(headers: string[], rows: string[][], color: boolean): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const chalk = color ? await colors() : undefined;
  const none = { top: "", "top-mid": "", "top-left": "", "top-right": "", bottom: "", "bottom-mid": "", "bottom-left": "",
    "bottom-right": "", left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  " };
  const table = new Table({
    head: headers.map((h) => (chalk ? chalk.bold(h) : h)),
    chars: none,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    wordWrap: false,
  });
  for (const r of rows) table.push(r);
  return table.toString().split("\n").map((l) => l.trimEnd()).join("\n") + "\n";
}

export async function renderConnections(io: IO, list: ConnectionResponse[], o: OutputOptions): Promise<void> {
  switch (o.format) {
    case "json": io.out(toJson(list)); return;
    case "yaml": io.out(await toYaml(list)); return;
    case "plain":
      io.out(list.map((c) => LIST_COLUMNS.map(([, k]) => plainCell(c[k])).join("\t") + "\n").join(""));
      return;
    case "table":
      io.out(await renderTable(LIST_COLUMNS.map(([h]) => h), list.map((c) => LIST_COLUMNS.map(([, k]) => display(c[k]))), o.color));
  }
}

const display = (v: unknown): string => (v === null || v === undefined ? "" : String(v).replace(/[\t\r\n]+/g, " "));

/** One connection: one field per line in table/plain, an object in json/yaml. Fields in the API's order. */
export async function renderConnection(io: IO, c: ConnectionResponse, o: OutputOptions): Promise<void> {
  const full = Object.fromEntries(CONNECTION_FIELDS.map((k) => [k, c[k] ?? null]));
  switch (o.format) {
    case "json": io.out(toJson(full)); return;
    case "yaml": io.out(await toYaml(full)); return;
    case "plain":
      io.out(CONNECTION_FIELDS.map((k) => `${k}\t${plainCell(full[k])}\n`).join(""));
      return;
    case "table": {
      const chalk = o.color ? await colors() : undefined;
      const w = Math.max(...CONNECTION_FIELDS.map((k) => k.length));
      io.out(CONNECTION_FIELDS.map((k) => {
        const name = k.padEnd(w);
        return `${chalk ? chalk.bold(name) : name}  ${display(full[k])}`.trimEnd() + "\n";
      }).join(""));
    }
  }
}
