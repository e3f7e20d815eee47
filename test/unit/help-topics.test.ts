// Issue 22, item 3: `airconn help TOPIC`. The help command (commands, topics, errors), the topics' layout, and the
// topics held to the code: `environment` lists exactly the variables src/ reads, `exit-codes` is errors.ts's mapping.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildProgram, main } from "../../src/cli.js";
import { testIO } from "../../src/output/io.js";
import { HELP_TOPICS } from "../../src/help/index.js";
import { TOPICS } from "../../src/help/topics.js";
import { topicText, WIDTH } from "../../src/help/text.js";
import {
  AuthError,
  CancelledError,
  ConflictError,
  EXIT,
  exitCodeFor,
  exitCodeForStatus,
  NetworkError,
  NotAirflowApiError,
  UsageError,
} from "../../src/errors.js";
import { buildSpec } from "../../src/completion/tree.js";
import { complete } from "../../src/completion/engine.js";

const SRC = resolve(import.meta.dirname, "../../src");

async function run(...args: string[]) {
  const io = testIO();
  const code = await main(args, { io, env: {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("airconn help", () => {
  it("alone: the program's help, with every command and every topic", async () => {
    const r = await run("help");
    expect(r).toEqual({ ...(await run("--help")), code: 0 });
    for (const c of ["login", "list", "profile", "apply", "completion", "help"])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(r.stdout).toContain("\nHelp topics:\n");
    for (const t of HELP_TOPICS) expect(r.stdout).toContain(`\n  ${t.name.padEnd(13)}${t.summary}\n`);
  });

  it("COMMAND: the command's --help, for aliases and subcommands too", async () => {
    for (const [words, flag] of [
      [["list"], ["list", "--help"]],
      [["ls"], ["list", "--help"]],
      [["profile"], ["profile", "--help"]],
      [
        ["profile", "set"],
        ["profile", "set", "--help"],
      ],
      [
        ["profile", "rm"],
        ["profile", "remove", "--help"],
      ],
      [["help"], ["help", "--help"]],
    ]) {
      const viaHelp = await run("help", ...words);
      expect(viaHelp.code, words.join(" ")).toBe(0);
      expect(viaHelp.stdout, words.join(" ")).toBe((await run(...flag)).stdout);
      expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: airconn ${flag.slice(0, -1).join(" ")}`));
    }
  });

  it("TOPIC: the topic on stdout, exit 0", async () => {
    for (const t of HELP_TOPICS) {
      const r = await run("help", t.name);
      expect(r, t.name).toEqual({ code: 0, stdout: topicText(TOPICS[t.name]), stderr: "" });
    }
  });

  it("an unknown word is a usage error (exit 2) naming the topics", async () => {
    expect(await run("help", "enviroment")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'airconn: unknown command or help topic "enviroment"\n' +
        "hint: commands: airconn help; topics: environment, exit-codes, output, patterns, files, auth\n",
    });
    expect(await run("help", "profile", "nope")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'airconn: "airconn profile" has no subcommand "nope"\nhint: see airconn help profile\n',
    });
    expect((await run("help", "list", "extra")).stderr).toContain('"airconn list" has no subcommand "extra"');
    expect((await run("help", "output", "extra")).code).toBe(2);
  });

  it("no topic shares a name with a command or an alias", () => {
    const names = buildProgram({ io: testIO(), env: {} }).commands.flatMap((c) => [c.name(), ...c.aliases()]);
    expect(HELP_TOPICS.map((t) => t.name).filter((t) => names.includes(t))).toEqual([]);
  });

  it("the help path stays light: the topic texts are loaded only by the help action, with import()", () => {
    const staticImports = files(SRC)
      .filter((f) => !f.includes("/help/"))
      .flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+["']([^"']+)["']/gm)].map(
          (m) => `${relative(SRC, f)} -> ${m[1]}`,
        ),
      )
      .filter((edge) => /help\/(topics|text|reference)\.js/.test(edge));
    expect(staticImports).toEqual([]);
    expect(readFileSync(join(SRC, "commands/help.ts"), "utf8")).toMatch(/await import\("\.\.\/help\/topics\.js"\)/);
  });
});

describe("completion of airconn help", () => {
  const tree = buildSpec(buildProgram({ io: testIO(), env: {} }));
  const sources = { profiles: () => [], connectionIds: async () => [] };
  const values = async (...words: string[]) => (await complete(tree, words, sources)).candidates.map((c) => c.value);

  it("offers the commands and the topics, then a command's subcommands", async () => {
    const first = await values("help", "");
    expect(first).toEqual(expect.arrayContaining(["list", "profile", "apply", ...HELP_TOPICS.map((t) => t.name)]));
    expect(first).not.toContain("help");
    expect(await values("help", "e")).toEqual(["export", "environment", "exit-codes"]);
    expect(await values("help", "profile", "")).toEqual(["list", "show", "use", "set", "remove"]);
    expect(await values("help", "environment", "")).toEqual([]);
    expect(await values("profile", "help", "")).toEqual(["list", "show", "use", "set", "remove"]); // commander's
  });

  it("describes each topic by its summary", async () => {
    const c = await complete(tree, ["help", "pat"], sources);
    expect(c.candidates).toEqual([
      { value: "patch", description: expect.any(String) },
      { value: "patterns", description: HELP_TOPICS.find((t) => t.name === "patterns")!.summary },
    ]);
  });
});

describe("the topics' layout", () => {
  it(`fits ${WIDTH} columns, without trailing spaces or tabs, in at most two screens`, () => {
    for (const t of HELP_TOPICS) {
      const lines = topicText(TOPICS[t.name]).split("\n");
      expect(
        lines.filter((l) => l.length > WIDTH || /\s$/.test(l) || l.includes("\t")),
        t.name,
      ).toEqual([]);
      expect(lines.length, t.name).toBeLessThanOrEqual(110);
    }
  });
});

// ---- environment: the topic against the code ----

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

const ENV_NAME = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z]+_proxy)$/;

/**
 * The environment variables a module reads: `env.NAME` (also `process.env.NAME`, `o.env?.NAME`), `env["NAME"]`,
 * every "AIRCONN_..." string literal, and in a module that indexes env with a variable (`env[name]`), the literals
 * shaped like variable names (the names it loops over). Comments are left out; lower-case proxy names count as their
 * upper-case form.
 */
function envReads(code: string): Set<string> {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![\w-])env\??\.([A-Z][A-Z0-9_]*|[a-z]+_proxy)\b/g)) found.add(m[1]!);
  for (const m of text.matchAll(/(?<![\w-])env\??\.?\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]/g)) found.add(m[1]!);
  for (const m of text.matchAll(/["'](AIRCONN_[A-Z0-9_]+)["']/g)) found.add(m[1]!);
  if (/(?<![\w-])env\??\.?\[\s*[A-Za-z_]/.test(text))
    for (const m of text.matchAll(/["']([A-Za-z][A-Za-z0-9_]*)["']/g)) if (ENV_NAME.test(m[1]!)) found.add(m[1]!);
  return new Set([...found].map((n) => n.toUpperCase()));
}

/** The variables a topic text lists (its definition terms), by section; "A, B" terms give both. */
function listedVariables(text: string): Map<string, string> {
  const listed = new Map<string, string>();
  let section = "";
  for (const line of text.split("\n")) {
    if (/^\S.*:$/.test(line)) section = line;
    const term = /^ {2}(\S(?:.*?\S)?)(?: {2,}|$)/.exec(line)?.[1];
    if (!term) continue;
    for (const name of term.split(", ")) if (/^[A-Z][A-Z0-9_]*$/.test(name)) listed.set(name, section);
  }
  return listed;
}

/** Variables listed but not read by airconn's code: the ones Node.js reads itself. */
const NODE_SECTION = "Read by Node.js itself:";

function compare(reads: Map<string, string[]>, listed: Map<string, string>) {
  return {
    readNotListed: [...reads.keys()].filter((n) => !listed.has(n)).map((n) => `${n} (${reads.get(n)!.join(", ")})`),
    listedNotRead: [...listed].filter(([n, section]) => section !== NODE_SECTION && !reads.has(n)).map(([n]) => n),
  };
}

function readsOf(paths: string[]): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const f of paths)
    for (const name of envReads(readFileSync(f, "utf8")))
      reads.set(name, [...(reads.get(name) ?? []), relative(SRC, f)]);
  return reads;
}

describe("airconn help environment", () => {
  const text = topicText(TOPICS.environment);

  it("finds reads in each form the code uses, and not in comments or other text", () => {
    expect(
      [
        ...envReads(`
      const a = process.env.AIRCONN_DEBUG, b = o.env?.SHELL, c = env["NO_COLOR"], d = env.no_proxy;
      export const LIMIT = "AIRCONN_MAX_INPUT_BYTES";
      // env.AIRCONN_IN_A_COMMENT
      /** env.AIRCONN_IN_A_DOC */
      import { x } from "./read-env.js"; const url = \`https://env.airflow.\${region}\`;
    `),
      ].sort(),
    ).toEqual(["AIRCONN_DEBUG", "AIRCONN_MAX_INPUT_BYTES", "NO_COLOR", "NO_PROXY", "SHELL"]);
    expect([
      ...envReads(`for (const name of ["AWS_ENDPOINT_URL_MWAA", "AWS_ENDPOINT_URL", "eu-west-1"]) env[name];`),
    ]).toEqual(["AWS_ENDPOINT_URL_MWAA", "AWS_ENDPOINT_URL"]);
  });

  it("lists every variable src/ reads, and none it does not (except Node.js's own)", () => {
    const reads = readsOf(files(SRC).filter((f) => !f.startsWith(join(SRC, "help/"))));
    const listed = listedVariables(text);
    // What the scan must see, whatever else changes: it reads the code, not a list.
    for (const n of ["AIRCONN_API_URL", "AIRCONN_TOKEN", "AIRCONN_MAX_INPUT_BYTES", "HTTPS_PROXY", "NO_COLOR"])
      expect(reads.has(n), n).toBe(true);
    expect(compare(reads, listed)).toEqual({ readNotListed: [], listedNotRead: [] });
  });

  it("fails for a variable the code reads that the topic does not list, or one listed that nothing reads", () => {
    const reads = readsOf(files(SRC).filter((f) => !f.startsWith(join(SRC, "help/"))));
    reads.set("AIRCONN_SOMETHING_NEW", ["commands/new.ts"]);
    const listed = listedVariables(`${text}\nStandard variables:\n  AIRCONN_GONE  no longer read\n`);
    expect(compare(reads, listed)).toEqual({
      readNotListed: ["AIRCONN_SOMETHING_NEW (commands/new.ts)"],
      listedNotRead: ["AIRCONN_GONE"],
    });
  });

  it("states the precedence: flag > env > profile > default", () => {
    expect(text).toContain("(flag > env > profile > default)");
  });
});

// ---- exit-codes: the topic against errors.ts ----

/** The codes the topic defines, each with its definition as one line. */
function codesOf(text: string): Map<number, string> {
  const codes = new Map<number, string>();
  let last: number | undefined;
  for (const line of text.split("\n")) {
    const m = /^ {2}(\d+) +(.*)$/.exec(line);
    if (m) codes.set((last = Number(m[1])), m[2]!);
    else if (last !== undefined && /^ {4,}\S/.test(line)) codes.set(last, `${codes.get(last)} ${line.trim()}`);
    else last = undefined;
  }
  return codes;
}

describe("airconn help exit-codes", () => {
  const codes = codesOf(topicText(TOPICS["exit-codes"]));
  const codeSaying = (words: RegExp) => [...codes].filter(([, d]) => words.test(d)).map(([c]) => c);

  it("defines exactly the codes errors.ts and the signal handlers give", () => {
    const signals = [...readFileSync(join(SRC, "cli.ts"), "utf8").matchAll(/\["SIG[A-Z]+", (\d+)\]/g)].map((m) =>
      Number(m[1]),
    );
    expect(signals).toEqual([143, 129]);
    expect([...codes.keys()].sort((a, b) => a - b)).toEqual(
      [...new Set([...Object.values(EXIT), ...signals])].sort((a, b) => a - b),
    );
  });

  it("gives each HTTP status the code exitCodeForStatus maps it to", () => {
    for (const status of [400, 401, 403, 404, 409, 422])
      expect(codeSaying(new RegExp(`\\b${status}\\b`)), String(status)).toEqual([exitCodeForStatus(status)]);
    for (const status of [500, 502, 503, 504]) expect(exitCodeForStatus(status)).toBe(codeSaying(/\b5xx\b/)[0]);
  });

  it("names each kind of error under the code it exits with", () => {
    const cases: Array<[Error, RegExp]> = [
      [new UsageError("x"), /^invalid input/],
      [new AuthError("x"), /^not authenticated/],
      [new ConflictError("x"), /^conflict/],
      [new CancelledError(), /^interrupted/],
      [new NetworkError("x"), /network error/],
      [new NotAirflowApiError("x", "html", "GET", "u", 200), /not the Airflow API/],
    ];
    for (const [err, words] of cases) expect(codeSaying(words), err.name).toEqual([exitCodeFor(err)]);
  });
});
