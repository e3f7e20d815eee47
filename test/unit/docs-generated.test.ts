// Issue 22, item 4: the command reference generated from the command tree (docs/commands/*.md and the man page
// airconn.1, scripts/gen-docs.mjs) is committed as generated, goes stale when a flag changes, links only to pages
// that exist, and renders as a man page without warnings.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli.js";
import { testIO } from "../../src/output/io.js";
import { VERSION } from "../../src/version.js";
import { HELP_TOPICS } from "../../src/help/index.js";
import { allCommands, DOCS_DIR, MAN_PAGE, pageName, referenceFiles, staleFiles } from "../../src/help/reference.js";

const ROOT = resolve(import.meta.dirname, "../..");
const program = () => buildProgram({ io: testIO(), env: {} });

describe("the generated reference", () => {
  it("is what npm run gen:docs writes from the current tree (else: run npm run gen:docs)", () => {
    expect(staleFiles(referenceFiles(program(), VERSION), ROOT)).toEqual([]);
  });

  it("goes stale when a flag changes: only the command's page and the man page", () => {
    const changed = program();
    const list = changed.commands.find((c) => c.name() === "list")!;
    list.option("--since <date>", "only connections created after this date");
    const files = referenceFiles(changed, VERSION);
    expect(staleFiles(files, ROOT).sort()).toEqual([`${DOCS_DIR}/airconn-list.md`, MAN_PAGE].sort());
    expect(files[`${DOCS_DIR}/airconn-list.md`]).toContain(
      "- `--since <date>`: only connections created after this date",
    );
    expect(files[MAN_PAGE]).toContain("\\fB\\-\\-since <date>\\fR\nonly connections created after this date");
  });

  it("goes stale when a command goes: its page is left over, the index and the man page differ", () => {
    const changed = program();
    const commands = changed.commands as Command[]; // readonly in the types; the tree as another version would have it
    commands.splice(
      commands.findIndex((c) => c.name() === "defaults"),
      1,
    );
    expect(staleFiles(referenceFiles(changed, VERSION), ROOT).sort()).toEqual(
      [`${DOCS_DIR}/README.md`, `${DOCS_DIR}/airconn-defaults.md`, MAN_PAGE].sort(),
    );
  });

  it("has a page per command and per topic, and the index links each", () => {
    const pages = readdirSync(join(ROOT, DOCS_DIR)).sort();
    const expected = [
      "README.md",
      ...allCommands(program()).map(({ words }) => pageName(words)),
      ...HELP_TOPICS.map((t) => pageName(["help", t.name])),
    ].sort();
    expect(pages).toEqual(expected);
    const index = readFileSync(join(ROOT, DOCS_DIR, "README.md"), "utf8");
    for (const p of expected.filter((p) => p !== "README.md")) expect(index).toContain(`](${p})`);
  });

  it("links only to pages and anchors that exist", () => {
    const broken: string[] = [];
    for (const page of readdirSync(join(ROOT, DOCS_DIR))) {
      const text = readFileSync(join(ROOT, DOCS_DIR, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)]+)\)/g)) {
        const [file, anchor] = target!.split("#");
        let linked: string;
        try {
          linked = readFileSync(join(ROOT, DOCS_DIR, file!), "utf8");
        } catch {
          broken.push(`${page} -> ${target}`);
          continue;
        }
        const headings = [...linked.matchAll(/^#+ (.*)$/gm)].map((m) => m[1]!.toLowerCase().replace(/\s+/g, "-"));
        if (anchor && !headings.includes(anchor)) broken.push(`${page} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("each command page shows its usage, its flags and its examples", () => {
    const page = readFileSync(join(ROOT, DOCS_DIR, "airconn-profile-set.md"), "utf8");
    expect(page).toMatch(/^# airconn profile set$/m);
    expect(page).toContain("```text\nairconn profile set [options] <name>\n```");
    expect(page).toContain("- `--api-url <url>`: Airflow base URL");
    expect(page).toContain("```console\n$ airconn profile set staging --api-url https://staging.example.com\n");
  });

  it("is shipped: the man page in the npm package (man, files)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { man: string[]; files: string[] };
    // A list: npm links a global install's man pages into PREFIX/share/man only from one (bin-links' linkMans).
    expect(pkg.man).toEqual([`./${MAN_PAGE}`]);
    expect(pkg.files).toContain(MAN_PAGE);
    expect(readFileSync(join(ROOT, "scripts/build-exe.mjs"), "utf8")).toContain(
      'copyFileSync(join(root, "airconn.1"), join(dirname(OUT), "airconn.1"))',
    );
  });
});

const have = (cmd: string) => spawnSync("/bin/sh", ["-c", `command -v ${cmd}`]).status === 0;
const GROFF = have("groff");
const MAN = have("man");

describe("the man page renders", () => {
  const render = GROFF
    ? "without warnings: groff -man -Tutf8 -ww airconn.1"
    : MAN
      ? "without warnings: man --warnings -l ./airconn.1 (groff is not installed)"
      : "SKIPPED: neither groff nor man is installed (Debian: apt-get install groff-base man-db)";
  it.skipIf(!GROFF && !MAN)(render, () => {
    const env = { ...process.env, MANWIDTH: "80", MAN_KEEP_FORMATTING: "", MANPAGER: "cat", PAGER: "cat" };
    const [cmd, args] = GROFF
      ? ["groff", ["-man", "-Tutf8", "-ww", MAN_PAGE]]
      : ["man", ["--warnings=w", "-E", "UTF-8", "-l", `./${MAN_PAGE}`]];
    const r = spawnSync(cmd!, args as string[], { cwd: ROOT, env, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/.\x08/g, ""); // groff's overstrike bold and underline
    expect(text).toMatch(/^AIRCONN\(1\)/m);
    for (const section of ["NAME", "SYNOPSIS", "GLOBAL OPTIONS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"])
      expect(text).toMatch(new RegExp(`^${section}$`, "m"));
    expect(text).toContain("airconn profile set [options] <name>");
    expect(text).toContain("AIRCONN_API_URL");
  });

  it.skipIf(!MAN)(MAN ? "as a user reads it: man -l ./airconn.1" : "SKIPPED: man is not installed", () => {
    const out = execFileSync("man", ["-l", `./${MAN_PAGE}`], {
      cwd: ROOT,
      env: { ...process.env, MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out.replace(/.\x08/g, "")).toMatch(/AIRCONN\(1\)[\s\S]*airconn\s+-\s+Manage Apache Airflow connections/);
  });
});
