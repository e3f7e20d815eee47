// Issue 18, items 2 and 8, at a real pseudo-terminal (util-linux `script`) and piped: control sequences stored in a
// connection never reach the terminal as bytes (ESC, BEL, C1, bidi overrides are shown as \x1b, \x07, \x9b, \u202e),
// in tables, plain rows, `get` and error messages quoting the server; json and yaml keep the exact data; tables fit
// the terminal's width (cut with "…", -o wide and pipes show everything); an empty list says so on stderr; a slow list
// shows its progress on stderr at a terminal only.
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { haveCommand, registerSecret, runCli, runCliTty } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";

/** What a hostile editor stores: a title change (OSC 0 … BEL), red text (SGR), a C1 CSI, a right-to-left override. */
const HOSTILE = "x\x1b]0;PWNED\x07 \x1b[31mRED\x1b[0m \u009b2J \u202eevil";
/** How it is shown. */
const SHOWN = "x\\x1b]0;PWNED\\x07 \\x1b[31mRED\\x1b[0m \\x9b2J \\u202eevil";
const LONG = "a long description that goes on and on ".repeat(6).trim();
const ERR_DETAIL = "Refused \x1b]52;c;cm0gLXJmIH4=\x07esc_dup\x1b[8m hidden by policy";

const fake = useFakeAirflow({
  seed: 3,
  intercept: (req) => {
    // A server whose error detail carries control sequences (OSC 52 writes the clipboard, SGR 8 hides text).
    if (
      req.method === "POST" &&
      req.path === "/api/v2/connections" &&
      (req.json as { connection_id?: string })?.connection_id === "esc_dup"
    ) {
      return { status: 400, json: { detail: ERR_DETAIL } };
    }
    return undefined;
  },
});
const slow = useFakeAirflow({ seed: 1000, latencyMs: 300 });
beforeAll(async () => {
  registerSecret(fake.server.adminToken);
  registerSecret(slow.server.adminToken);
  const made = await fake.run(["create", "esc_1", "--type", "http", "--description", HOSTILE]);
  expect(made.code).toBe(0);
  const long = await fake.run([
    "create",
    "wide_conn_with_a_long_id",
    "--type",
    "postgres",
    "--host",
    "db.example.internal",
    "--description",
    LONG,
  ]);
  expect(long.code).toBe(0);
});

const tty = process.platform === "linux" && haveCommand("script");
const noColor = (env: Record<string, string>) => ({ ...env, NO_COLOR: "1" });
/** Lines of terminal output, as wide as they show (the table holds ASCII and "…" only). */
const widths = (s: string) =>
  s
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => [...l].length);

describe.runIf(tty)("nothing from the server is executed by the terminal (pseudo-terminal)", () => {
  it("list at a terminal: no ESC, BEL or C1 byte from the stored description; the escapes are visible", async () => {
    const r = await runCliTty(["list", "--pattern", "esc_", "--no-color"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(r.screen).not.toMatch(/[\x07\x1b\x7f-\x9f\u202a-\u202e]/);
    expect(r.screen).toContain(SHOWN);
    expect(r.screen).toMatch(/^ID\s+TYPE\s+HOST/m);
  });

  it("with colour on, our header colour is there and none of the stored sequences (title, red, C1)", async () => {
    const r = await runCliTty(["list", "--pattern", "esc_"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(r.screen).toContain("\x1b[1mID\x1b[22m"); // ours: bold header
    expect(r.screen).not.toContain("\x07");
    expect(r.screen).not.toContain("\x1b]");
    expect(r.screen).not.toContain("\x1b[31m");
    expect(r.screen).not.toContain("\u009b");
    expect(r.screen).not.toContain("\u202e");
    // every escape sequence left is an SGR bold/normal of the header
    expect(r.screen.match(/\x1b[^\\]{0,5}/g)!.every((s) => /^\x1b\[(1|22)m/.test(s))).toBe(true);
    expect(r.screen).toContain(SHOWN);
  });

  it("get at a terminal: the record shows the escapes", async () => {
    const r = await runCliTty(["get", "esc_1", "--no-color"], { env: fake.env });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x07\x1b\x7f-\x9f\u202a-\u202e]/);
    expect(r.stdout).toMatch(new RegExp(`^description +${SHOWN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  });

  it("an error message quoting a hostile server detail (OSC 52 clipboard write, hidden text): escaped, exit 2", async () => {
    const r = await runCliTty(["create", "esc_dup", "--type", "http", "--no-input", "--no-color"], { env: fake.env });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/[\x07\x1b]/);
    expect(r.stdout).toContain("airconn: Refused \\x1b]52;c;cm0gLXJmIH4=\\x07esc_dup\\x1b[8m hidden by policy\n");
  });
});

describe("piped: plain rows, get and errors escape too; json and yaml keep the exact data", () => {
  it("list -o plain: one line, the escapes visible, no ESC or BEL byte", async () => {
    const r = await fake.run(["list", "--pattern", "esc_"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`esc_1\thttp\t\t\t\t\t${SHOWN}\n`);
  });

  it("get -o plain escapes; the error on stderr escapes", async () => {
    const g = await fake.run(["get", "esc_1"]);
    expect(g.stdout).toContain(`description\t${SHOWN}\n`);
    expect(g.stdout).not.toMatch(/[\x07\x1b]/);
    const e = await fake.run(["create", "esc_dup", "--type", "http"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("airconn: Refused \\x1b]52;c;cm0gLXJmIH4=\\x07esc_dup\\x1b[8m hidden by policy\n");
  });

  it("json: the same data, with C1 and bidi controls as \\u escapes (no raw byte)", async () => {
    const r = await fake.run(["list", "--pattern", "esc_", "-o", "json"]);
    expect(r.stdout).not.toMatch(/[\x07\x1b\x7f-\x9f\u202a-\u202e]/);
    expect(r.stdout).toContain("\\u009b2J \\u202eevil");
    expect(JSON.parse(r.stdout)[0].description).toBe(HOSTILE);
    const g = await fake.run(["get", "esc_1", "-o", "json"]);
    expect(JSON.parse(g.stdout).description).toBe(HOSTILE);
  });

  it("yaml: valid YAML (C1 escaped in double quotes) that parses back to the same data", async () => {
    for (const args of [
      ["list", "--pattern", "esc_"],
      ["get", "esc_1"],
    ]) {
      const r = await fake.run([...args, "-o", "yaml"]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/[\x07\x1b\x7f-\x9f\u202a-\u202e]/);
      const doc = parseYaml(r.stdout, { prettyErrors: true });
      expect((Array.isArray(doc) ? doc[0] : doc).description).toBe(HOSTILE);
    }
  });
});

describe.runIf(tty)("a terminal that fits", () => {
  it("an 80-column terminal: every line fits, the long description is cut with …, the id is whole", async () => {
    const r = await runCliTty(["list", "--pattern", "wide_"], { env: noColor(fake.env), cols: 80 });
    expect(r.code).toBe(0);
    expect(Math.max(...widths(r.screen))).toBeLessThanOrEqual(80);
    expect(r.screen).toContain("…");
    // the widest columns (description, host) are cut to a common width; the id and the narrow ones are whole
    expect(r.screen).toMatch(/^wide_conn_with_a_long_id {2}postgres {2}db\.exampl… +a long des…$/m);
    expect(r.screen).toMatch(/^ID +TYPE +HOST +PORT {2}LOGIN {2}SCHEMA {2}DESCRIPTION$/m);
    expect(r.screen).not.toContain(LONG);
  });

  it("-o wide at the same terminal shows everything (the terminal wraps it)", async () => {
    const r = await runCliTty(["list", "--pattern", "wide_", "-o", "wide"], { env: noColor(fake.env), cols: 80 });
    expect(r.code).toBe(0);
    expect(r.screen.replace(/\n/g, "")).toContain(LONG);
    expect(r.screen).not.toContain("…");
  });

  it("piped, nothing is cut", async () => {
    const r = await fake.run(["list", "--pattern", "wide_"]);
    expect(r.stdout).toBe(`wide_conn_with_a_long_id\tpostgres\tdb.example.internal\t\t\t\t${LONG}\n`);
  });

  it("an empty result says so on stderr instead of a lone header; piped, nothing at all", async () => {
    const r = await runCliTty(["list", "--pattern", "zzz_none"], { env: noColor(fake.env) });
    expect(r.code).toBe(0);
    expect(r.screen.trim()).toBe("no connections match --pattern zzz_none");
    const p = await fake.run(["list", "--pattern", "zzz_none"]);
    expect(p).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const j = await fake.run(["list", "--pattern", "zzz_none", "-o", "json"]);
    expect(j).toMatchObject({ code: 0, stdout: "[]\n", stderr: "" });
  });

  it("a list slower than a second shows its progress on stderr at a terminal, erased before the table", async () => {
    const r = await runCliTty(["list", "--concurrency", "1"], { env: noColor(slow.env), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const progress = [...r.stdout.matchAll(/\r\x1b\[Kfetching connections… (\d+)\/1000/g)].map((m) => Number(m[1]));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // erased ("\r\x1b[K") right before the table's header, which starts its own line
    expect(r.stdout).toMatch(/\r\x1b\[KID\s+TYPE/);
    expect(r.stdout.split("\n").filter((l) => /^conn_\d+/.test(l))).toHaveLength(1000);
  }, 60_000);

  it("never when stderr is not a terminal", async () => {
    const r = await runCli(["list", "--concurrency", "1", "-o", "json"], { env: slow.env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toHaveLength(1000);
  }, 60_000);
});
