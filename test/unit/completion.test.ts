// Issue 6: the completion engine against the real command tree (built in-process), the id cache, and the rule that
// every command's help teaches with examples.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram, main } from "../../src/cli.js";
import { testIO } from "../../src/output/io.js";
import { ORDER_BY_FIELDS } from "../../src/api/types.js";
import { COMMON_CONN_TYPES } from "../../src/connection/conn-types.js";
import { buildSpec } from "../../src/completion/tree.js";
import { complete, formatCompletion, type Sources, type TypedGlobals } from "../../src/completion/engine.js";
import { cacheFile, connectionIds, IDS_TTL_MS } from "../../src/completion/ids.js";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";

const program = buildProgram({ io: testIO(), env: {} });
const tree = buildSpec(program);
const idCalls: Array<{ prefix: string; globals: TypedGlobals }> = [];
const sources: Sources = {
  profiles: () => ["default", "staging", "prod"],
  connectionIds: async (prefix, globals) => {
    idCalls.push({ prefix, globals });
    return ["my_postgres", "my_mysql", "warehouse"].filter((id) => id.startsWith(prefix));
  },
};
const values = async (...words: string[]) => (await complete(tree, words, sources)).candidates.map((c) => c.value);

describe("completion engine", () => {
  it("completes subcommands, with nested profile subcommands and aliases", async () => {
    expect(await values("")).toEqual(expect.arrayContaining(["login", "list", "get", "profile", "completion", "help"]));
    expect(await values("pro")).toEqual(["profile"]);
    expect(await values("profile", "")).toEqual(["list", "show", "use", "set", "remove", "help"]);
    expect(await values("profile", "r")).toEqual(["remove"]);
    expect(await values("ls", "--pat")).toEqual(["--pattern"]); // alias of list
    expect(await values("help", "pa")).toEqual(["patch", "patterns"]); // a command, then a help topic
  });

  it("every registered command is in the tree (nothing hard-coded)", async () => {
    const walk = (c: Command, path: string[]): string[] =>
      c.commands.flatMap((s) => [[...path, s.name()].join(" "), ...walk(s, [...path, s.name()])]);
    const names = walk(program, []);
    for (const name of names) {
      const words = name.split(" ");
      expect(await values(...words.slice(0, -1), words.at(-1)!), name).toContain(words.at(-1));
    }
  });

  it("completes global and per-command flags, anywhere", async () => {
    expect(await values("--ver")).toEqual(["--version", "--verbose"]);
    expect(await values("get", "--out")).toEqual(["--output"]);
    expect(await values("list", "--")).toEqual(
      expect.arrayContaining(["--pattern", "--order-by", "--limit", "--offset", "--profile", "--output", "--help"]),
    );
    expect(await values("get", "--pat")).toEqual([]);
  });

  it("completes flag values: -o formats, choices, --order-by with and without -, --type, profiles", async () => {
    expect(await values("-o", "")).toEqual(["table", "wide", "plain", "json", "yaml"]);
    expect(await values("get", "-o", "j")).toEqual(["json"]);
    expect(await values("get", "-vo", "y")).toEqual(["yaml"]);
    expect(await values("list", "--output=p")).toEqual(["--output=plain"]);
    expect(await values("list", "--order-by", "")).toEqual([
      ...ORDER_BY_FIELDS,
      ...ORDER_BY_FIELDS.map((f) => `-${f}`),
    ]);
    expect(await values("list", "--order-by", "-conn_t")).toEqual(["-conn_type"]);
    expect(await values("create", "x", "--type", "")).toEqual(COMMON_CONN_TYPES.map(([t]) => t));
    expect((await complete(tree, ["patch", "x", "--type", "postg"], sources)).candidates).toEqual([
      { value: "postgres", description: "PostgreSQL" },
    ]);
    expect(await values("-p", "st")).toEqual(["staging"]);
    expect(await values("profile", "use", "")).toEqual(["default", "staging", "prod"]);
    expect(await values("profile", "remove", "p")).toEqual(["prod"]);
    expect(await values("completion", "")).toEqual(["bash", "zsh", "fish"]);
  });

  it("completes --format, --on-existence and --serialization-format where commands define them", async () => {
    const choicesOf = (cmd: string, flag: string) => {
      const c = program.commands.find((x) => x.name() === cmd);
      return c?.options.find((o) => o.long === flag)?.argChoices;
    };
    for (const cmd of ["import", "export", "bulk", "diff", "apply"]) {
      for (const flag of ["--format", "--on-existence", "--serialization-format"]) {
        const choices = choicesOf(cmd, flag);
        if (choices) expect(await values(cmd, flag, ""), `${cmd} ${flag}`).toEqual(choices);
      }
    }
    expect(await values("import", "f.json", "--on-existence", "")).toEqual(["fail", "skip", "overwrite"]);
  });

  it("completes connection ids for get, patch, delete and test, not for create", async () => {
    idCalls.length = 0;
    expect(await values("get", "my_")).toEqual(["my_postgres", "my_mysql"]);
    expect(await values("patch", "")).toEqual(["my_postgres", "my_mysql", "warehouse"]);
    expect(await values("test", "w")).toEqual(["warehouse"]);
    expect(await values("delete", "my_postgres", "my_")).toEqual(["my_mysql"]); // variadic, without repeats
    expect(await values("get", "my_postgres", "")).toEqual([]); // one id only
    expect(await values("create", "")).toEqual([]);
    expect(await values("-p", "staging", "--api-url", "http://x:1", "get", "--token", "t", "m")).toEqual([
      "my_postgres",
      "my_mysql",
    ]);
    expect(idCalls.at(-1)!.globals).toEqual({ profile: "staging", apiUrl: "http://x:1", token: "t" });
  });

  it("asks the shell for file names where a file is expected", async () => {
    expect((await complete(tree, ["import", ""], sources)).files).toBe(true);
    expect((await complete(tree, ["--ca-cert", ""], sources)).files).toBe(true);
    expect(formatCompletion(await complete(tree, ["apply", ""], sources))).toBe("::files\n");
  });

  it("prints value<TAB>description lines", async () => {
    expect(formatCompletion(await complete(tree, ["profile", "sh"], sources))).toMatch(/^show\t\S.*\n$/);
  });

  it("server data in candidates: a value with a control character is left out, a description shows escapes", () => {
    const out = formatCompletion({
      candidates: [
        { value: "ok_1", description: "Evil \x1b]0;PWNED\x07 Co\tx" },
        { value: "bad\x1b[2J", description: "hidden" },
        { value: "bad\nline" },
        { value: "rtl\u202e" },
        { value: "ok_2", description: "desc \u009b2J" },
      ],
      files: false,
    });
    expect(out).toBe("ok_1\tEvil \\x1b]0;PWNED\\x07 Co x\nok_2\tdesc \\x9b2J\n");
  });
});

describe("connection id cache", () => {
  let server: FakeAirflow;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeAirflow({ seed: 30 });
    dir = mkdtempSync(join(tmpdir(), "airconn-ids-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    AIRCONN_API_URL: server.url,
    AIRCONN_TOKEN: server.adminToken,
    AIRCONN_CONFIG_DIR: join(dir, "cfg"),
    XDG_CACHE_HOME: join(dir, "cache"),
  });
  const listCalls = () => server.requests.filter((r) => r.path === "/api/v2/connections").length;

  it("asks the server once, then answers from a 0600 cache until the TTL ends", async () => {
    const now = Date.now();
    const before = listCalls();
    expect(await connectionIds("conn_0001", { env: env(), globals: {}, now })).toEqual([
      "conn_00010",
      "conn_00011",
      "conn_00012",
      "conn_00013",
      "conn_00014",
      "conn_00015",
      "conn_00016",
      "conn_00017",
      "conn_00018",
      "conn_00019",
    ]);
    const req = server.requests.filter((r) => r.path === "/api/v2/connections").at(-1)!;
    expect(req.query.get("connection_id_pattern")).toBe("conn_0001");
    expect(req.query.get("limit")).toBe("100");
    expect(await connectionIds("conn_00015", { env: env(), globals: {}, now: now + 1000 })).toEqual(["conn_00015"]);
    expect(listCalls()).toBe(before + 1);
    const file = cacheFile(env(), server.url, "default");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).prefix).toBe("conn_0001");
    await connectionIds("conn_00015", { env: env(), globals: {}, now: now + IDS_TTL_MS + 1 });
    expect(listCalls()).toBe(before + 2);
    await connectionIds("conn_002", { env: env(), globals: {}, now: now + IDS_TTL_MS + 2 }); // not under the cached prefix
    expect(listCalls()).toBe(before + 3);
  });

  it("throws (the callback then prints nothing) on a bad token, a dead server, or a broken cache", async () => {
    writeFileSync(cacheFile(env(), server.url, "default"), "{not json");
    await expect(connectionIds("x", { env: { ...env(), AIRCONN_TOKEN: "bad" }, globals: {} })).rejects.toThrow();
    await expect(
      connectionIds("x", { env: { ...env(), AIRCONN_API_URL: "http://127.0.0.1:1" }, globals: {} }),
    ).rejects.toThrow();
    expect(await connectionIds("x", { env: { ...env(), AIRCONN_TOKEN: "" }, globals: {} })).toEqual([]); // no token: no request
  });
});

describe("help that teaches", () => {
  const all = (c: Command, path: string[] = []): string[][] =>
    c.commands.filter((s) => s.name() !== "help").flatMap((s) => [[...path, s.name()], ...all(s, [...path, s.name()])]);

  it("every registered command's --help has an Examples: section", async () => {
    const missing: string[] = [];
    for (const path of [[], ...all(program)]) {
      const io = testIO();
      const code = await main([...path, "--help"], { io, env: {} });
      expect(code, path.join(" ")).toBe(0);
      if (!/\nExamples:\n\s+\$ airconn /.test(io.stdout())) missing.push(`airconn ${path.join(" ")}`.trim());
    }
    expect(missing, `commands whose --help has no "Examples:" section`).toEqual([]);
  });

  it("`airconn help <command>` shows that command's help", async () => {
    const io = testIO();
    expect(await main(["help", "list"], { io, env: {} })).toBe(0);
    expect(io.stdout()).toMatch(/^Usage: airconn list/);
    expect(io.stdout()).toContain("Examples:");
  });
});
