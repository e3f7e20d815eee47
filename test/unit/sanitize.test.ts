// Issue 18, items 2 and 8: control characters from the server shown as escapes everywhere a person reads them (cells,
// records, text, stderr, errors, prompts), json/yaml exact and inert, tables cut to the terminal's width, a progress
// line that appears only after a delay and is erased.
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, stringify as yamlStringify } from "yaml";
import {
  cutToWidth,
  displayWidth,
  escapeControls,
  escapeJsonText,
  escapeStderr,
  escapeText,
  fitWidths,
  hasControls,
} from "../../src/output/sanitize.js";
import { fitTable, plainCell, render, renderPaged, toJson, toYaml, type Column } from "../../src/output/render.js";
import { renderConnection, renderConnections } from "../../src/output/connections.js";
import { testIO } from "../../src/output/io.js";
import { progressLine } from "../../src/output/progress.js";
import { report } from "../../src/cli.js";
import { AirconnError, EXIT } from "../../src/errors.js";
import { summary } from "../../src/prompts/connection.js";
import { connection } from "../support/connection.js";

const HOSTILE = "x\x1b]0;PWNED\x07 \x1b[31mRED\x1b[0m \u009b2J \u202eevil\u2066i\u2069 \x7f\x00";
const SHOWN = "x\\x1b]0;PWNED\\x07 \\x1b[31mRED\\x1b[0m \\x9b2J \\u202eevil\\u2066i\\u2069 \\x7f\\x00";
/** Any byte a terminal may act on (C0 but tab/newline, DEL, C1) or a bidi control. */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const conn = connection;

describe("escaping", () => {
  it("C0, DEL, C1 and the bidi controls become \\xNN / \\uNNNN; ordinary text (accents, CJK, backslashes) is kept", () => {
    expect(escapeControls(HOSTILE)).toBe(SHOWN);
    expect(escapeControls("a\tb\nc\rd")).toBe("a\\x09b\\x0ac\\x0dd");
    expect(escapeControls("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")).toBe(
      "\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069",
    );
    const fine = 'café 東京 C:\\path\\x1b {"a": 1} \u00a0\u00ff';
    expect(escapeControls(fine)).toBe(fine);
    expect(hasControls(fine)).toBe(false);
    expect(hasControls(HOSTILE)).toBe(true);
  });
  it("text keeps tab and newline; stderr keeps our own leading \\r\\x1b[K and escapes the rest", () => {
    expect(escapeText("line 1\tx\nline \x1b[2J2\r\n")).toBe("line 1\tx\nline \\x1b[2J2\\x0d\n");
    expect(escapeStderr("\r\x1b[Kfetching… 3/9")).toBe("\r\x1b[Kfetching… 3/9");
    expect(escapeStderr("\r12/40 requests")).toBe("\r12/40 requests");
    expect(escapeStderr("\r\x1b[Kid \x1b]0;t\x07 \r\x1b[K")).toBe("\r\x1b[Kid \\x1b]0;t\\x07 \\x0d\\x1b[K");
    expect(escapeStderr("airconn: \x1b[8mhidden\n")).toBe("airconn: \\x1b[8mhidden\n");
  });
  it("escaping twice changes nothing more (an escape is printable text)", () => {
    expect(escapeControls(escapeControls(HOSTILE))).toBe(SHOWN);
    expect(escapeStderr(escapeStderr(`\r\x1b[K${HOSTILE}`))).toBe(`\r\x1b[K${SHOWN}`);
  });
  it("plainCell: tabs and newlines are spaces (cut/awk), the rest escaped", () => {
    expect(plainCell("a\tb\r\nc\x1b[1m")).toBe("a b c\\x1b[1m");
    expect(plainCell(null)).toBe("");
    expect(plainCell(5432)).toBe("5432");
  });
});

describe("json and yaml: exact data, nothing raw a terminal acts on, valid", () => {
  const doc = { description: HOSTILE, "key\u009b": "multi\nline\u202e", n: 1, z: null, ok: "plain é" };
  it("json parses back to the same data and holds no raw control byte", () => {
    const text = toJson(doc);
    expect(text).not.toMatch(RAW);
    expect(text).toContain("\\u009b2J \\u202eevil");
    expect(JSON.parse(text)).toEqual(doc);
    expect(escapeJsonText(JSON.stringify({ a: "plain" }))).toBe('{"a":"plain"}');
  });
  it("yaml: strings with DEL, C1 or bidi are double-quoted with escapes; it parses back (strict) to the same data", async () => {
    const text = await toYaml(doc);
    expect(text).not.toMatch(RAW);
    expect(parseYaml(text, { strict: true })).toEqual(doc);
    expect(text).toContain(
      'description: "x\\e]0;PWNED\\a \\e[31mRED\\e[0m \\x9b2J \\u202eevil\\u2066i\\u2069 \\x7f\\0"',
    );
  });
  it("yaml of ordinary data is exactly what the library writes", async () => {
    const plainDoc = [
      { connection_id: "a", extra: '{"x": 1}', description: "two\nlines", port: 5432, host: null },
      { a: "café", list: [1, "b"] },
    ];
    expect(await toYaml(plainDoc)).toBe(yamlStringify(plainDoc, { lineWidth: 0 }));
  });
  it("list -o json page by page: C1 and bidi as \\u escapes, the same data", async () => {
    const io = testIO();
    const rows = [conn({ connection_id: "a", description: HOSTILE })];
    async function* pages() {
      yield rows;
    }
    await renderPaged(io, { format: "json", color: false }, [], pages, async () => rows);
    expect(io.stdout()).not.toMatch(RAW);
    expect(JSON.parse(io.stdout())).toEqual(rows);
  });
});

describe("views escape what they show", () => {
  const c = conn({ connection_id: "esc_1", description: HOSTILE, extra: '{"k": "\x1b[31m"}' });
  for (const format of ["table", "wide", "plain"] as const) {
    it(`${format}: list and get show the escapes, never the bytes`, async () => {
      const io = testIO({ columns: 400 });
      await renderConnections(io, [c], { format, color: false });
      await renderConnection(io, c, { format, color: false });
      expect(io.stdout()).not.toMatch(RAW);
      expect(io.stdout().split(SHOWN)).toHaveLength(3);
      expect(io.stdout()).toContain('{"k": "\\x1b[31m"}');
    });
  }
  it("table with colour: our colour wraps the escaped text (escaped before painting)", async () => {
    const io = testIO();
    const columns: Array<Column<{ id: string; r: string }>> = [
      { header: "ID", value: (x) => x.id },
      { header: "RESULT", value: (x) => x.r, paint: (ch, t) => ch.red(t) },
    ];
    await render(
      io,
      { format: "table", color: true },
      { kind: "rows", rows: [{ id: "a", r: "\x1b]0;t\x07bad" }], columns },
    );
    expect(io.stdout()).toContain("\x1b[31m\\x1b]0;t\\x07bad\x1b[39m");
    expect(io.stdout()).not.toContain("\x07");
  });
  it("text views keep their lines and escape the rest (a server's test message)", async () => {
    for (const format of ["table", "plain"] as const) {
      const io = testIO();
      await render(io, { format, color: false }, { kind: "text", text: `failed: ${"\x1b]0;t\x07"}\n`, document: {} });
      expect(io.stdout()).toBe("failed: \\x1b]0;t\\x07\n");
    }
  });
  it("stderr of the test IO escapes like the real one", () => {
    const io = testIO();
    io.err(`airconn: warning: ${HOSTILE}\n`);
    expect(io.stderr()).toBe(`airconn: warning: ${SHOWN}\n`);
  });
  it("report(): an error quoting the server, its hint and an unexpected error are escaped", () => {
    const io = testIO();
    expect(report(new AirconnError(`refused: ${HOSTILE}\nsecond line`, EXIT.FAILURE, "hint \x1b[8mhidden"), io)).toBe(
      EXIT.FAILURE,
    );
    expect(report(new Error("boom \x1b]52;c;eA==\x07"), io)).toBe(EXIT.FAILURE);
    expect(io.stderr()).toBe(
      `airconn: refused: ${SHOWN}\nsecond line\nhint: hint \\x1b[8mhidden\nairconn: unexpected error: boom \\x1b]52;c;eA==\\x07\n`,
    );
  });
  it("the create summary shows control characters as escapes, one line per field", () => {
    const s = summary({ connection_id: "x", conn_type: "http", description: "a\x1b[2Jb\nc" });
    expect(s).toContain("  description    a\\x1b[2Jb\\x0ac\n");
    expect(s).not.toMatch(RAW);
  });
});

describe("display width and cutting", () => {
  it("wide characters take two cells, combining marks none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("東京")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("…")).toBe(1);
  });
  it("cutToWidth ends in … and never exceeds the width", () => {
    expect(cutToWidth("abcdef", 6)).toBe("abcdef");
    expect(cutToWidth("abcdefg", 6)).toBe("abcde…");
    expect(cutToWidth("東京東京", 5)).toBe("東京…");
    expect(displayWidth(cutToWidth("東京東京", 4))).toBeLessThanOrEqual(4);
  });
  it("fitWidths: unchanged when it fits; else the widest cut first to a common width; the kept column last", () => {
    expect(fitWidths([5, 10, 3], [2, 2, 2], 30, 2)).toEqual([5, 10, 3]);
    // 20 + 50 + 4 + 2*2 = 78 > 40: the 50 goes first, down to what is left (40 - 4 - 20 - 4 = 12)
    expect(fitWidths([20, 50, 4], [2, 6, 4], 40, 2)).toEqual([20, 12, 4]);
    // two wide columns share the room evenly
    expect(fitWidths([10, 40, 40], [2, 5, 5], 50, 2, 0)).toEqual([10, 18, 18]);
    // the others at their minimum still too wide: the kept (id) column is cut too, not below its own minimum
    expect(fitWidths([30, 40, 40], [2, 5, 5], 30, 2, 0)).toEqual([16, 5, 5]);
  });
  it("fitTable keeps the id column whole and cuts the description; -o wide and pipes never cut", async () => {
    const long = "word ".repeat(40).trim();
    const rows = [
      conn({
        connection_id: "a_rather_long_connection_id",
        conn_type: "postgres",
        host: "db.internal",
        description: long,
      }),
    ];
    const io = testIO({ columns: 80 });
    await renderConnections(io, rows, { format: "table", color: false });
    const lines = io.stdout().trimEnd().split("\n");
    expect(lines.every((l) => displayWidth(l) <= 80)).toBe(true);
    expect(lines[1]).toMatch(/^a_rather_long_connection_id {2}postgres {2}/);
    expect(lines[1]).toMatch(/…$/);
    // narrower than the headers of the others: the id is cut too
    const narrow = testIO({ columns: 60 });
    await renderConnections(narrow, rows, { format: "table", color: false });
    expect(
      narrow
        .stdout()
        .trimEnd()
        .split("\n")
        .every((l) => displayWidth(l) <= 60),
    ).toBe(true);
    expect(narrow.stdout()).toMatch(/^a_rather_lo… {2}/m);
    const wide = testIO({ columns: 60 });
    await renderConnections(wide, rows, { format: "wide", color: false });
    expect(wide.stdout()).toContain(long);
    const none = testIO(); // no terminal width known (piped with -o table)
    await renderConnections(none, rows, { format: "table", color: false });
    expect(none.stdout()).toContain(long);
  });
  it("fitTable: a table that fits is left alone", () => {
    const cells = [["a", "b"]];
    expect(fitTable(["ID", "X"], cells, 80)).toBe(cells);
  });
});

describe("progressLine", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it("shows nothing before the delay, then the latest state in place, erased when done", () => {
    vi.useFakeTimers();
    const io = testIO({ stderrTTY: true });
    const p = progressLine(io, { enabled: true, text: "fetching connections…" });
    p.update("fetching connections… 100/300");
    vi.advanceTimersByTime(999);
    expect(io.stderr()).toBe("");
    vi.advanceTimersByTime(1);
    expect(io.stderr()).toBe("\r\x1b[Kfetching connections… 100/300");
    p.update("fetching connections… 200/300");
    p.done();
    p.done();
    p.update("late");
    expect(io.stderr()).toBe("\r\x1b[Kfetching connections… 100/300\r\x1b[Kfetching connections… 200/300\r\x1b[K");
  });
  it("a fast job prints nothing at all; a disabled one never", () => {
    vi.useFakeTimers();
    const io = testIO({ stderrTTY: true });
    const p = progressLine(io, { enabled: true, text: "x" });
    p.done();
    vi.advanceTimersByTime(5000);
    const off = progressLine(io, { enabled: false, text: "y" });
    vi.advanceTimersByTime(5000);
    off.done();
    expect(io.stderr()).toBe("");
  });
});

describe("prompts show escapes, and a default answered back is the value itself", () => {
  afterEach(() => {
    vi.doUnmock("@inquirer/prompts");
    vi.resetModules();
  });
  it("input: the default is shown escaped; accepting it returns the original; messages and choices escaped", async () => {
    const seen: Record<string, unknown>[] = [];
    vi.doMock("@inquirer/prompts", () => ({
      input: async (o: { default?: string }) => {
        seen.push(o);
        return o.default;
      },
      select: async (o: { choices: Array<{ value: string }> }) => {
        seen.push(o);
        return o.choices[0]!.value;
      },
      confirm: async (o: unknown) => {
        seen.push(o as Record<string, unknown>);
        return true;
      },
      password: async (o: unknown) => {
        seen.push(o as Record<string, unknown>);
        return "pw";
      },
    }));
    const { inquirerPrompter } = await import("../../src/prompts/prompter.js");
    const io = { ...testIO(), promptStreams: () => ({ input: process.stdin, output: process.stderr }) };
    const p = inquirerPrompter(io);
    expect(await p.input({ message: "Host \x1b[2J", default: "h\x1b]0;t\x07" })).toBe("h\x1b]0;t\x07");
    expect(seen[0]).toMatchObject({ message: "Host \\x1b[2J", default: "h\\x1b]0;t\\x07" });
    expect(await p.input({ message: "Plain", default: "ok" })).toBe("ok");
    expect(await p.select({ message: "Pick", choices: [{ name: "n\x1b[8m", value: "v\x1b" }] })).toBe("v\x1b");
    expect(seen[2]).toMatchObject({ choices: [{ name: "n\\x1b[8m", value: "v\x1b" }] });
    expect(await p.confirm({ message: "Delete a\x07?" })).toBe(true);
    expect(seen[3]).toMatchObject({ message: "Delete a\\x07?" });
  });
});
