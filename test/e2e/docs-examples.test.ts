// The README's and the guides' examples, run (issue 22): every code block in README.md and docs/**/*.md that runs
// airconn is executed here against the local server, or marked as not runnable. Also: the README stays under 250
// lines with its two set-up commands, and no guide text stands in two places (README, docs/, --help and the topics).
//
// Which pages: README.md and docs/**/*.md, except docs/airflow/ (reference copies of Airflow's behaviour) and
// docs/commands/ (generated from --help, whose examples test/unit tests parse).
//
// The convention (CONTRIBUTING.md, "Code blocks in the docs", says the same for writers):
// - ```sh               runs: the whole block is one bash script (`set -eo pipefail`, stderr merged into stdout),
//                       with `airconn` on PATH being the built bin/airconn (run by the Node under test).
// - ```sh illustrative  is not run: prompts at a terminal, AWS or another cloud, sudo, npm pack, the network.
// - ```text             right after a ```sh block (blank lines between are fine): that block's expected output,
//                       stdout and stderr together. Compared line by line, trailing spaces ignored and runs of two
//                       or more spaces taken as one column gap (the example URLs are longer than the local ones);
//                       a line `...` matches any number of lines (none too), `...` inside a line any text. Without
//                       a ```text block only the exit status is checked.
// - ```LANG file=NAME   (yaml, json, env, ...): written to NAME in the page's working folder before the page's
//                       next runnable block runs.
// - A command line ending in `# exit N` (after joining `\` continuations) must exit with N, and the script goes
//   on; every other command must succeed (set -e).
// - Any other block is not run; but a ```bash, ```shell, ```console, ```zsh or unlabelled block holding an airconn
//   command fails the lint test below (label it sh or sh illustrative), and so does ```sh with other words.
//
// The world, set up afresh for each page; the page's blocks run in order, each in its own bash process: files,
// profiles and what the servers hold carry over from block to block, shell variables do not.
// - Server A, "https://airflow.example.com": the local server as Airflow 3.3.2, connection tests enabled, users
//   admin/admin and ci/$AIRFLOW_PASSWORD; it holds customer_a_pg (with a password and extra sslmode),
//   customer_b_http, pg_main, tmp_a and tmp_b.
// - Server B, "https://staging.example.com": the local server as Airflow 3.2.1; it holds customer_b_http (another
//   host) and pg_main.
// - Each of the two URLs in a block is replaced by its server's local http:// URL before the block runs, and back in
//   the block's output before it is compared.
// - HOME is a fresh folder (XDG_CONFIG_HOME and XDG_CACHE_HOME under it), the working folder another. The config
//   holds the profiles default (current) and prod for server A and staging for server B, each with a token.
// - Variables: AIRFLOW_URL (server A), AIRFLOW_JWT (a token for A), STAGING_JWT (for B), AIRFLOW_PASSWORD and
//   PROD_AIRFLOW_PASSWORD (user ci's on A), DB_PASSWORD and API_KEY (made-up secrets). No AIRCONN_* variable.
// - A block that uses jq or curl is skipped (and says so) where that command is not installed.
// Every block's output is scanned for the world's secrets, as every end-to-end run is (test/support/secrets.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow, type SeedConnection } from "@airconn/fake-airflow";
import { BIN, NODE, ROOT, baseEnv, haveCommand, runCli, runCliTty, tempDir } from "../support/cli.js";
import { answer, answerPrompts } from "../support/prompts.js";
import { registerSecret, scanRun } from "../support/secrets.js";
import { HELP_TOPICS } from "../../src/help/index.js";

// ------------------------------------------------------------------------------------------------ the pages

interface Block {
  /** the info string's first word ("" for none), and the words after it */
  lang: string;
  words: string[];
  text: string;
  /** 1-based line of the opening fence */
  line: number;
}

/** The fenced code blocks of a Markdown text, indented ones (in list items) included, with their indent removed. */
function fencedBlocks(md: string): Block[] {
  const lines = md.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim().startsWith(fence[0]!.repeat(fence.length)) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    const [lang = "", ...words] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({ lang, words, text: body.join("\n"), line: i + 1 });
    i = j;
  }
  return blocks;
}

const PAGES: string[] = [
  "README.md",
  ...(function walk(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((e) => {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) return p === "docs/airflow" || p === "docs/commands" ? [] : walk(p);
        return e.name.endsWith(".md") ? [p] : [];
      });
  })("docs"),
];

/** A block's lines as shell commands: `\` continuations joined. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const l of text.split("\n")) {
    cur += l;
    if (/\\$/.test(l)) cur += "\n";
    else {
      out.push(cur);
      cur = "";
    }
  }
  if (cur) out.push(cur);
  return out;
}

const runsAirconn = (text: string) =>
  logicalLines(text).some((l) => /(^|[\s|;&(`$])airconn\s/.test(`${l} `.replace(/^\s*\$\s*/, "")));
const EXIT_NOTE = /^(.*?\S)\s+#\s*exit (\d+)\s*$/s;

interface Step {
  block: Block;
  expected?: Block;
  files: Block[];
  needs: string[];
}

/** The runnable blocks of a page in order, each with the files written before it and its expected output. */
function stepsOf(blocks: Block[]): Step[] {
  const steps: Step[] = [];
  let files: Block[] = [];
  blocks.forEach((b, i) => {
    if (b.words.some((w) => w.startsWith("file="))) files.push(b);
    if (b.lang !== "sh" || b.words.length) return;
    const next = blocks[i + 1];
    steps.push({
      block: b,
      ...(next?.lang === "text" ? { expected: next } : {}),
      files,
      needs: ["jq", "curl"].filter((c) => new RegExp(`(^|[\\s|;&(])${c}\\s`).test(b.text)),
    });
    files = [];
  });
  return steps;
}

// ------------------------------------------------------------------------------------------------ the world

const URL_A = "https://airflow.example.com";
const URL_B = "https://staging.example.com";
const SECRETS = {
  AIRFLOW_PASSWORD: "ci-Pa55word-for-docs",
  DB_PASSWORD: "db-s3cret-for-docs",
  API_KEY: "api-k3y-for-docs",
  STORED_PASSWORD: "stored-pg-Pa55",
};
const SEED_A: SeedConnection[] = [
  {
    connection_id: "customer_a_pg",
    conn_type: "postgres",
    description: "Customer A",
    host: "pg-a.example.com",
    port: 5432,
    login: "app",
    schema: "app",
    password: SECRETS.STORED_PASSWORD,
    extra: '{"sslmode": "require"}',
  },
  { connection_id: "customer_b_http", conn_type: "http", description: "Customer B", host: "api.b.example.com" },
  { connection_id: "pg_main", conn_type: "postgres", host: "db.internal", port: 5432, login: "etl", schema: "sales" },
  { connection_id: "tmp_a", conn_type: "http", host: "a.example.com" },
  { connection_id: "tmp_b", conn_type: "http", host: "b.example.com" },
];
const SEED_B: SeedConnection[] = [
  { connection_id: "customer_b_http", conn_type: "http", description: "Customer B", host: "api-staging.b.example.com" },
  { connection_id: "pg_main", conn_type: "postgres", host: "db.internal", port: 5432, login: "etl", schema: "sales" },
];

let A: FakeAirflow;
let B: FakeAirflow;
let shimDir: ReturnType<typeof tempDir>;
/** A HOME with the profiles, made once with the CLI and copied for each page. */
let homeTemplate: ReturnType<typeof tempDir>;
let tokens: { a: string; b: string };

beforeAll(async () => {
  [A, B] = await Promise.all([
    startFakeAirflow({
      airflowVersion: "3.3.2",
      testConnection: "Enabled",
      users: { admin: "admin", ci: SECRETS.AIRFLOW_PASSWORD },
      connections: SEED_A,
      connectionTestMs: 30,
    }),
    startFakeAirflow({ airflowVersion: "3.2.1", connections: SEED_B }),
  ]);
  tokens = { a: A.adminToken, b: B.adminToken };
  for (const s of [...Object.values(SECRETS), tokens.a, tokens.b]) registerSecret(s);
  shimDir = tempDir("airconn-docs-bin-");
  writeFileSync(join(shimDir.dir, "airconn"), `#!/bin/sh\nexec '${NODE}' '${BIN}' "$@"\n`);
  chmodSync(join(shimDir.dir, "airconn"), 0o755);
  homeTemplate = tempDir("airconn-docs-home-");
  const env = { HOME: homeTemplate.dir, XDG_CONFIG_HOME: join(homeTemplate.dir, ".config") };
  for (const [name, url, token] of [
    ["prod", A.url, tokens.a],
    ["staging", B.url, tokens.b],
    ["default", A.url, tokens.a],
  ] as const) {
    const r = await runCli(["-p", name, "login", "--api-url", url, "--token-stdin"], { env, input: token });
    if (r.code !== 0) throw new Error(`setting up profile ${name}: ${r.stderr}`);
  }
  const r = await runCli(["profile", "use", "default"], { env });
  if (r.code !== 0) throw new Error(`profile use default: ${r.stderr}`);
});

afterAll(async () => {
  await Promise.all([A?.close(), B?.close()]);
  shimDir?.cleanup();
  homeTemplate?.cleanup();
});

interface World {
  home: string;
  work: string;
  cleanup(): void;
}

function newWorld(): World {
  A.reset();
  B.reset();
  const home = tempDir("airconn-docs-page-");
  cpSync(homeTemplate.dir, home.dir, { recursive: true });
  chmodSync(join(home.dir, ".config", "airconn"), 0o700);
  chmodSync(join(home.dir, ".config", "airconn", "config.json"), 0o600);
  const work = join(home.dir, "work");
  mkdirSync(work);
  return { home: home.dir, work, cleanup: home.cleanup };
}

/** The block as bash runs it: local URLs, and each `# exit N` line checked instead of stopping the script. */
function scriptOf(text: string, urls: Array<[string, string]>): string {
  let t = text;
  for (const [from, to] of urls) t = t.split(from).join(to);
  const body = logicalLines(t).map((l) => {
    const m = EXIT_NOTE.exec(l);
    if (!m) return l;
    const [, cmd, code] = m;
    return (
      `if ${cmd}; then __rc=0; else __rc=$?; fi; ` +
      `[ "$__rc" = ${code} ] || { echo "docs test: expected exit ${code}, got $__rc: ${cmd!.replace(/["$`\\]/g, "\\$&")}"; exit 97; }`
    );
  });
  return ["set -eo pipefail", "exec 2>&1", ...body].join("\n");
}

function runBlock(script: string, w: World): Promise<{ code: number; out: string; env: Record<string, string> }> {
  const env = baseEnv({
    PATH: `${shimDir.dir}:${process.env.PATH}`,
    HOME: w.home,
    XDG_CONFIG_HOME: join(w.home, ".config"),
    XDG_CACHE_HOME: join(w.home, ".cache"),
    SHELL: "/bin/bash",
    NO_COLOR: "1",
    AIRFLOW_URL: A.url,
    AIRFLOW_JWT: tokens.a,
    STAGING_JWT: tokens.b,
    AIRFLOW_PASSWORD: SECRETS.AIRFLOW_PASSWORD,
    PROD_AIRFLOW_PASSWORD: SECRETS.AIRFLOW_PASSWORD,
    DB_PASSWORD: SECRETS.DB_PASSWORD,
    API_KEY: SECRETS.API_KEY,
  });
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd: w.work, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, env });
    });
  });
}

// ------------------------------------------------------------------------------------------------ output

/** Trailing spaces dropped, runs of two or more spaces made two (a column gap), blank lines at either end dropped. */
const trimEnd = (lines: string[]) => {
  const l = lines.map((x) => x.replace(/\s+$/, "").replace(/ {2,}/g, "  "));
  while (l.length && l[l.length - 1] === "") l.pop();
  while (l.length && l[0] === "") l.shift();
  return l;
};
const lineRe = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("...")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );

/** Whether the actual lines match the expected ones (`...` lines: any run of lines; `...` in a line: any text). */
function outputMatches(expected: string, actual: string): boolean {
  const want = trimEnd(expected.split("\n"));
  const got = trimEnd(actual.split("\n"));
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let r: boolean;
    if (i === want.length) r = j === got.length;
    else if (want[i] === "...") r = match(i + 1, j) || (j < got.length && match(i, j + 1));
    else r = j < got.length && lineRe(want[i]!).test(got[j]!) && match(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return match(0, 0);
}

// ------------------------------------------------------------------------------------------------ the tests

describe("the docs' code blocks follow the convention", () => {
  for (const page of PAGES) {
    it(page, () => {
      const bad: string[] = [];
      for (const b of fencedBlocks(readFileSync(join(ROOT, page), "utf8"))) {
        const shellish = ["", "bash", "shell", "console", "zsh", "shell-session"].includes(b.lang);
        if (shellish && runsAirconn(b.text))
          bad.push(
            `${page}:${b.line}: a \`${b.lang || "(no info string)"}\` block runs airconn: label it sh or sh illustrative`,
          );
        if (b.lang === "sh" && b.words.length && !(b.words.length === 1 && b.words[0] === "illustrative"))
          bad.push(`${page}:${b.line}: \`sh ${b.words.join(" ")}\`: only \`sh\` and \`sh illustrative\` are known`);
      }
      expect(bad).toEqual([]);
    });
  }

  it("the matcher: ... lines and ... in a line", () => {
    expect(outputMatches("a\n...\nd", "a\nb\nc\nd\n")).toBe(true);
    expect(outputMatches("a\n...\nd", "a\nd")).toBe(true);
    expect(outputMatches("a\nd", "a\nb\nd")).toBe(false);
    expect(outputMatches("x ... z", "x yyy z  ")).toBe(true);
    expect(outputMatches("x ... z", "x yyy")).toBe(false);
    expect(outputMatches("(1) [a]", "(1) [a]")).toBe(true);
    expect(outputMatches("ID   HOST  PORT", "ID  HOST     PORT   ")).toBe(true);
    expect(outputMatches("ID HOST", "ID  HOST")).toBe(false);
  });

  it("the script: `# exit N` lines are checked, the rest must succeed", () => {
    const s = scriptOf("airconn get x   # exit 3\nairconn list \\\n  --limit 1  # exit 0", [[URL_A, "http://h"]]);
    expect(s).toContain('if airconn get x; then __rc=0; else __rc=$?; fi; [ "$__rc" = 3 ]');
    expect(s).toContain("if airconn list \\\n  --limit 1; then");
    expect(s.startsWith("set -eo pipefail\nexec 2>&1\n")).toBe(true);
  });
});

for (const page of PAGES) {
  const steps = stepsOf(fencedBlocks(readFileSync(join(ROOT, page), "utf8")));
  if (!steps.length) continue;
  describe(`examples of ${page}`, () => {
    let world: World;
    beforeAll(() => {
      world = newWorld();
    });
    afterAll(() => world?.cleanup());
    for (const step of steps) {
      const missing = step.needs.filter((c) => !haveCommand(c));
      const title = `${page}:${step.block.line}${missing.length ? ` (skipped: no ${missing.join(", ")} here)` : ""}`;
      it.skipIf(missing.length > 0)(title, async () => {
        for (const f of step.files) {
          const name = f.words.find((w) => w.startsWith("file="))!.slice("file=".length);
          writeFileSync(join(world.work, name), `${f.text}\n`);
        }
        const script = scriptOf(step.block.text, [
          [URL_A, A.url],
          [URL_B, B.url],
        ]);
        const r = await runBlock(script, world);
        const leak = scanRun(
          ["docs-example", page],
          { ...r.env, AIRCONN_CONFIG_DIR: join(world.home, ".config", "airconn") },
          undefined,
          { output: r.out },
        );
        if (leak) throw leak;
        const shown = r.out.split(A.url).join(URL_A).split(B.url).join(URL_B);
        const where = `${page}:${step.block.line}\n--- block\n${step.block.text}\n--- output (exit ${r.code})\n${shown}`;
        expect(r.code, where).toBe(0);
        if (step.expected)
          expect(outputMatches(step.expected.text, shown), `${where}\n--- expected\n${step.expected.text}`).toBe(true);
      });
    }
  });
}

// ------------------------------------------------------------------------------------------------ the README

describe("the README", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("is under 250 lines", () => {
    expect(readme.split("\n").length).toBeLessThan(250);
  });

  it("shows the two set-up commands, and package.json has the scripts they run", () => {
    expect(readme).toMatch(/^npm install && npm run demo\b/m);
    expect(readme).toMatch(/^npm install && npm test\b/m);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.demo).toBeTruthy();
    expect(pkg.scripts.test).toBeTruthy();
  });
});

/** GitHub's anchors of a Markdown page: each heading lower-cased, punctuation dropped, spaces as "-", repeats numbered. */
function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of md.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inCode = !inCode;
    const h = inCode ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

describe("the pages", () => {
  it("link only to files and headings that exist (README.md, docs/)", () => {
    const missing: string[] = [];
    for (const page of PAGES) {
      const text = readFileSync(join(ROOT, page), "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)) {
        const [, target = "", anchor] = m;
        if (/^[a-z]+:/.test(target)) continue;
        const p = target ? join(ROOT, page, "..", target) : join(ROOT, page);
        let linked: string | undefined;
        try {
          linked = readFileSync(p, "utf8");
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EISDIR") missing.push(`${page}: ${target}`);
          continue;
        }
        if (anchor && p.endsWith(".md") && !anchorsOf(linked).has(anchor)) missing.push(`${page}: ${target}#${anchor}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/** What a terminal shows at the end: each line's text after its last return to column 1, escapes removed. */
const finalLines = (out: string) =>
  out
    .split("\n")
    .map((l) =>
      (l.split(/\x1b\[G|\r/).pop() ?? "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\x1b\][^\x07]*\x07/g, ""),
    );

describe.skipIf(!haveCommand("script"))("the README's prompt session", () => {
  it("is what `airconn create` shows at a terminal for aws (the answers typed as the session shows them)", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const session = fencedBlocks(readme).find((b) => b.lang === "text" && b.text.startsWith("$ airconn create\n"));
    expect(session, "a ```text block starting with $ airconn create").toBeDefined();
    const shown = session!.text.split("\n").slice(1);
    const server = await startFakeAirflow({ airflowVersion: "3.2.1" });
    const cfg = tempDir("airconn-docs-session-");
    try {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
      registerSecret(secret);
      const a = answerPrompts([
        answer(/Connection id/, "s3_logs"),
        { after: /Connection type/, keys: "aws" },
        answer(/❯ aws +Amazon Web Services/),
        answer(/AWS Access Key ID/, "AKIAIOSFODNN7EXAMPLE"),
        answer(/AWS Secret Access Key/, secret),
        answer(/Extra \(JSON\)/, '{"region_name": "eu-west-1"}'),
        answer(/Description/),
        answer(/Create connection s3_logs\?/, "y"),
      ]);
      const env = { AIRCONN_API_URL: server.url, AIRCONN_TOKEN: server.adminToken, AIRCONN_CONFIG_DIR: cfg.dir };
      const r = await runCliTty(["create"], { env: { ...env, NO_COLOR: "1" }, onSpawn: a.onSpawn, timeoutMs: 40_000 });
      expect(a.left(), `prompts never reached:\n${a.seen()}`).toBe(0);
      expect(r.code).toBe(0);
      // the session's lines, in order, among what the terminal shows (the search list's redrawings in between)
      const screen = finalLines(r.stdout.split(server.url).join(URL_A)).map((l) => l.replace(/\s+$/, ""));
      let at = 0;
      for (const line of shown) {
        const i = screen.indexOf(line.replace(/\s+$/, ""), at);
        expect(
          i,
          `README session line not shown next at the terminal: ${line}\n--- terminal\n${screen.join("\n")}`,
        ).toBeGreaterThanOrEqual(at);
        at = i + 1;
      }
      expect(server.stored("s3_logs")).toMatchObject({ conn_type: "aws", login: "AKIAIOSFODNN7EXAMPLE", host: null });
    } finally {
      await server.close();
      cfg.cleanup();
    }
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------ no copies

/** Prose of a Markdown page: outside code blocks, markup removed, split at sentence and table-cell ends. */
function proseOf(md: string): string[] {
  const out: string[] = [];
  let inCode = false;
  for (const line of md.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (!inCode) out.push(line);
  }
  return out
    .join("\n")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .split(/\n\s*\n|\|/)
    .flatMap((para) => para.split(/(?<=[.;:!?])\s+/));
}

/** The 12-word runs of a text, normalised (lower case, letters, digits and single spaces). */
function runsOf(chunks: string[], n = 12): Set<string> {
  const runs = new Set<string>();
  for (const c of chunks) {
    const words = c
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_%*.$-]+/gu, " ")
      .split(" ")
      .map((w) => w.replace(/^[.-]+|[.-]+$/g, ""))
      .filter(Boolean);
    for (let i = 0; i + n <= words.length; i++) runs.add(words.slice(i, i + n).join(" "));
  }
  return runs;
}

function helpPaths(): string[] {
  const tree = JSON.parse(readFileSync(join(ROOT, "completions/tree.json"), "utf8")) as Tree;
  interface Tree {
    name: string;
    commands?: Tree[];
  }
  const out: string[] = [];
  const walk = (c: Tree, p: string[]) => {
    for (const s of c.commands ?? []) {
      if (s.name === "help") continue;
      out.push([...p, s.name].join(" "));
      walk(s, [...p, s.name]);
    }
  };
  walk(tree, []);
  return out;
}

describe("no guide text in two places", () => {
  it("README, docs/, CONTRIBUTING.md, every --help and every help topic share no run of 12 words", async () => {
    const sources = new Map<string, Set<string>>();
    for (const page of [...PAGES, "CONTRIBUTING.md"])
      sources.set(page, runsOf(proseOf(readFileSync(join(ROOT, page), "utf8"))));
    const helps = [...helpPaths(), ...HELP_TOPICS.map((t) => t.name)];
    const texts = await Promise.all(helps.map((h) => runCli(["help", ...h.split(" ")], { env: { COLUMNS: "200" } })));
    texts.forEach((r, i) => {
      const lines = r.stdout.split("\n").filter((l) => !/^\s*\$ /.test(l));
      sources.set(`airconn help ${helps[i]}`, runsOf(lines.join(" ").split(/(?<=[.;:!?])\s+/)));
    });
    // Each place's runs against every earlier place's; two help texts may share theirs (every command's --help
    // lists the global options).
    const isHelp = (name: string) => name.startsWith("airconn help ");
    const where = new Map<string, string[]>();
    const copies = new Set<string>();
    for (const [name, runs] of sources)
      for (const run of runs) {
        const before = where.get(run) ?? [];
        for (const first of before) if (!(isHelp(first) && isHelp(name))) copies.add(`${first} ~ ${name}: "${run}"`);
        where.set(run, [...before, name]);
      }
    // one row per pair of places, with the first run they share
    const byPair = new Map<string, string>();
    for (const c of copies) {
      const pair = c.slice(0, c.indexOf(":"));
      if (!byPair.has(pair)) byPair.set(pair, c);
    }
    expect([...byPair.values()]).toEqual([]);
  }, 60_000);
});
