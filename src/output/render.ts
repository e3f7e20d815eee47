// The one renderer of command output. A command hands it a view — rows with a column spec, a record (one field per
// line), or a line of text — plus the document for json/yaml; the resolved output format picks the form: table on a
// terminal, tab-separated plain when piped, or one whole json/yaml document. cli-table3, chalk and yaml load only
// when the chosen form needs them.
import type { IO } from "./io.js";
import type { OutputOptions } from "./format.js";
import {
  cutToWidth,
  displayWidth,
  escapeControls,
  escapeJsonText,
  escapeText,
  escapeYamlText,
  fitWidths,
  needsYamlQuotes,
} from "./sanitize.js";

/** chalk at a fixed level: whether to colour was already decided (terminal, NO_COLOR, --no-color). */
export async function colors() {
  const { Chalk } = await import("chalk");
  return new Chalk({ level: 1 });
}
export type Chalk = Awaited<ReturnType<typeof colors>>;

/**
 * YAML as the yaml library writes it, but valid and inert at a terminal: a string holding DEL, C1 or a bidi control
 * is double-quoted, where those characters are written as escapes (the library leaves them raw, which YAML forbids
 * for DEL and C1). The data is exactly the same.
 */
export async function toYaml(value: unknown): Promise<string> {
  const { Document, visit } = await import("yaml");
  const doc = new Document(value);
  let quoted = false;
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && needsYamlQuotes(node.value)) {
        node.type = "QUOTE_DOUBLE";
        quoted = true;
      }
    },
  });
  const text = doc.toString({ lineWidth: 0 });
  return quoted ? escapeYamlText(text) : text;
}

/** JSON with DEL, C1 and bidi controls as \u escapes (JSON.stringify escapes C0 itself): the same data, inert at a terminal. */
export const toJson = (value: unknown): string => escapeJsonText(JSON.stringify(value, null, 2)) + "\n";

/**
 * A cell for plain and table output: tabs and newlines would break `cut`/`awk`, so they become spaces; every other
 * control character (ESC, BEL, C1, bidi overrides) becomes a visible escape such as \x1b: nothing from the server is
 * executed by the terminal.
 */
export const plainCell = (v: unknown): string =>
  v === null || v === undefined ? "" : escapeControls(String(v).replace(/[\t\r\n]+/g, " "));

/**
 * Rows that arrive page by page (list): plain rows are written as the pages come (output starts with the first page,
 * memory stays flat); the json array is built as they come and written once complete (whole or nothing, issue 11);
 * a table (its widths) and yaml need every row, from `all`.
 */
export async function renderPaged<T>(
  io: IO,
  out: OutputOptions,
  columns: ReadonlyArray<Column<T>>,
  pages: () => AsyncIterable<readonly T[]>,
  all: () => Promise<readonly T[]>,
  o: { emptyTable?: "header" | "nothing" | (() => void) } = {},
): Promise<void> {
  if (out.format === "plain") {
    for await (const page of pages()) {
      io.out(plainRows(page, columns));
      await io.drain();
    }
    return;
  }
  if (out.format === "json") {
    // A document is written whole or not at all (issue 11): a failed page leaves stdout empty. One JSON.stringify
    // per page; the page as an array already indents its items by two spaces, so its brackets are dropped.
    const { documentBuffer } = await import("./document.js");
    const doc = documentBuffer(io);
    try {
      let first = true;
      doc.add("[");
      for await (const page of pages()) {
        if (!page.length) continue;
        doc.add((first ? "\n" : ",\n") + escapeJsonText(JSON.stringify(page, null, 2).slice(2, -2)));
        first = false;
      }
      doc.add(first ? "]\n" : "\n]\n");
      await doc.commit();
    } finally {
      doc.discard();
    }
    return;
  }
  await render(io, out, { kind: "rows", rows: await all(), columns, emptyTable: o.emptyTable });
}

/** Rows as tab-separated lines (no header): for plain output, also page by page. */
export function plainRows<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cols = columns.filter((c) => c.only !== "table");
  return rows.map((r) => cols.map((c) => plainCell(c.value(r))).join("\t") + "\n").join("");
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Colour for the table cell (only when colour is on). */
  paint?: (chalk: Chalk, text: string) => string;
  /** A column of the table only, or of the plain rows only. */
  only?: "table" | "plain";
}

export type View<T> =
  | {
      kind: "rows";
      rows: readonly T[];
      columns: ReadonlyArray<Column<T>>;
      /** json/yaml: this document (default: the rows); a function is called only when the document is printed. */
      document?: unknown;
      /** Table with no rows: "header" (default) prints the header line, "nothing" prints nothing, a function runs instead. */
      emptyTable?: "header" | "nothing" | (() => void);
      /** Print no rows in the table ("table") or in the table and plain rows (true); json/yaml are always whole. */
      quiet?: boolean | "table";
    }
  | { kind: "record"; entries: ReadonlyArray<readonly [string, unknown]>; document: unknown; boldKeys?: boolean }
  | { kind: "text"; text: string; document: unknown };

/**
 * Writes `view` to stdout in the resolved output format. Returns what was printed: the json/yaml "document", or
 * the "view" (table, plain) — commands print notes for people on stderr only with the latter.
 */
export async function render<T>(io: IO, out: OutputOptions, view: View<T>): Promise<"document" | "view"> {
  if (out.format === "json" || out.format === "yaml") {
    const given = view.kind === "rows" ? (view.document ?? view.rows) : view.document;
    const doc = typeof given === "function" ? (given as () => unknown)() : given;
    io.out(out.format === "json" ? toJson(doc) : await toYaml(doc));
    return "document";
  }
  await renderView(io, out, view);
  return "view";
}

async function renderView<T>(io: IO, out: OutputOptions, view: View<T>): Promise<void> {
  switch (out.format) {
    case "plain": {
      const text =
        view.kind === "text"
          ? escapeText(view.text)
          : view.kind === "record"
            ? view.entries.map(([k, v]) => `${k}\t${plainCell(v)}\n`).join("")
            : view.quiet === true
              ? ""
              : plainRows(view.rows, view.columns);
      if (text) io.out(text);
      return;
    }
    case "table":
    case "wide": {
      if (view.kind === "text") {
        io.out(escapeText(view.text));
        return;
      }
      const chalk = out.color ? await colors() : undefined;
      if (view.kind === "record") {
        const w = Math.max(...view.entries.map(([k]) => k.length));
        io.out(
          view.entries
            .map(([k, v]) => {
              const name = k.padEnd(w);
              return `${chalk && view.boldKeys ? chalk.bold(name) : name}  ${plainCell(v)}`.trimEnd() + "\n";
            })
            .join(""),
        );
        return;
      }
      if (view.quiet) return;
      if (!view.rows.length && view.emptyTable !== undefined && view.emptyTable !== "header") {
        if (typeof view.emptyTable === "function") view.emptyTable();
        return;
      }
      const columns = view.columns.filter((c) => c.only !== "plain");
      // Escaped first (plainCell), then cut to the terminal's width, then painted: our colour codes are the only ones.
      let cells = view.rows.map((r) => columns.map((c) => plainCell(c.value(r))));
      const width = out.format === "table" ? io.columns : undefined; // -o wide: never cut
      if (width)
        cells = fitTable(
          columns.map((c) => c.header),
          cells,
          width,
        );
      const rows = cells.map((r) =>
        r.map((text, i) => {
          const paint = columns[i]!.paint;
          return chalk && paint ? paint(chalk, text) : text;
        }),
      );
      io.out(
        await renderTable(
          columns.map((c) => c.header),
          rows,
          chalk,
        ),
      );
    }
  }
}

const GAP = 2;

/**
 * Cells cut with "…" so that the table fits in `width` terminal cells: the widest columns first, none narrower than
 * its header (or 5 cells), the id column (the first with a header) only when nothing else helps.
 */
export function fitTable(headers: readonly string[], cells: string[][], width: number): string[][] {
  const natural = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ""))));
  const min = headers.map((h) => Math.max(displayWidth(h), 5));
  const keep = Math.max(
    0,
    headers.findIndex((h) => h !== ""),
  );
  const fit = fitWidths(natural, min, width, GAP, keep);
  if (fit.every((w, i) => w >= natural[i]!)) return cells;
  return cells.map((r) => r.map((text, i) => (fit[i]! < natural[i]! ? cutToWidth(text, fit[i]!) : text)));
}

/** Rows as an aligned table with a header (terminal) — borderless, like gh. */
async function renderTable(headers: string[], rows: string[][], chalk: Chalk | undefined): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const none = {
    top: "",
    "top-mid": "",
    "top-left": "",
    "top-right": "",
    bottom: "",
    "bottom-mid": "",
    "bottom-left": "",
    "bottom-right": "",
    left: "",
    "left-mid": "",
    mid: "",
    "mid-mid": "",
    right: "",
    "right-mid": "",
    middle: "  ",
  };
  const table = new Table({
    head: headers.map((h) => (chalk ? chalk.bold(h) : h)),
    chars: none,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    wordWrap: false,
  });
  for (const r of rows) table.push(r);
  return (
    table
      .toString()
      .split("\n")
      .map((l) => l.trimEnd())
      .join("\n") + "\n"
  );
}
