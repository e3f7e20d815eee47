// Issue 22, item 5: every example in the help parses with the current command tree. Each `$ ...` line of every
// command's --help (and of the help topics) is split into shell words, each `airconn` run on it is taken out (after
// a pipe, `VAR=x`, `xargs`, inside `$(...)`) and parsed by the real commander tree with every action replaced by a
// no-op: an unknown command or flag, a missing argument or an invalid value fails here.
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram, main } from "../../src/cli.js";
import { testIO } from "../../src/output/io.js";
import { HELP_TOPICS } from "../../src/help/index.js";
import { examples } from "../../src/commands/kit.js";
import { airconnRuns, shellCommands } from "../support/shell-words.js";

/** The tree as the CLI builds it, with no-op actions and errors thrown instead of printed. */
function parserTree(): Command {
  const program = buildProgram({ io: testIO(), env: {} });
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    if (c.parent) c.action(() => {});
    for (const s of c.commands) quiet(s);
  };
  quiet(program);
  return program;
}

/** Why `airconn ARGS` does not parse, or undefined when it does. */
async function parseProblem(args: string[]): Promise<string | undefined> {
  try {
    await parserTree().parseAsync(args, { from: "user" });
    return undefined;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return undefined;
    return (e as Error).message;
  }
}

/** Every command of a tree with its words, the program first: [], ["login"], ["profile"], ["profile", "list"], ... */
function commands(c: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return [{ path, cmd: c }, ...c.commands.flatMap((s) => commands(s, [...path, s.name()]))];
}

/** What `airconn ... --help` prints for this command of the tree. */
function helpText(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** The `$ ...` lines of a help text. */
const exampleLines = (help: string): string[] =>
  help
    .split("\n")
    .filter((l) => /^\s+\$ /.test(l))
    .map((l) => l.replace(/^\s+\$ /, ""));

async function topicText(name: string): Promise<string> {
  const io = testIO();
  expect(await main(["help", name], { io, env: {} }), name).toBe(0);
  return io.stdout();
}

/** The examples of every command's help in `program` and of the topics, each run parsed: what fails, and the count. */
async function checkExamples(program: Command): Promise<{ problems: string[]; runs: number }> {
  const sources = commands(program).map(({ path, cmd }) => ({
    where: ["airconn", ...path, "--help"].join(" "),
    lines: exampleLines(helpText(cmd)),
  }));
  for (const t of HELP_TOPICS)
    sources.push({ where: `airconn help ${t.name}`, lines: exampleLines(await topicText(t.name)) });
  const problems: string[] = [];
  let runs = 0;
  for (const { where, lines } of sources) {
    for (const line of lines) {
      const found = airconnRuns(line);
      if (!found.length) problems.push(`${where}: runs no airconn: ${line}`);
      for (const args of found) {
        runs++;
        const problem = await parseProblem(args);
        if (problem) problems.push(`${where}: ${line}\n    ${problem}`);
      }
    }
  }
  return { problems, runs };
}

describe("shell words", () => {
  it("splits quotes, pipes, lists, redirections, comments and $(...)", () => {
    expect(shellCommands(`printf %s "$PW" | airconn create x --uri 'a b' -o json > out.json 2>&1 # done`)).toEqual([
      ["printf", "%s", "$PW"],
      ["airconn", "create", "x", "--uri", "a b", "-o", "json"],
    ]);
    expect(shellCommands(`a && b || c; d & e`)).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
    expect(shellCommands(`x "say \\"hi\\"" a\\ b <in.txt >/dev/null`)).toEqual([["x", 'say "hi"', "a b"]]);
    expect(shellCommands(`echo "$(airconn get a -o json | jq .x)" done`)).toEqual([
      ["airconn", "get", "a", "-o", "json"],
      ["jq", ".x"],
      ["echo", "$(airconn get a -o json | jq .x)", "done"],
    ]);
    expect(shellCommands(`airconn list --pattern 'a#b' # a comment`)).toEqual([
      ["airconn", "list", "--pattern", "a#b"],
    ]);
    expect(() => shellCommands(`airconn list 'unclosed`)).toThrow(/unclosed/);
  });

  it("finds each airconn run: after VAR=x, in a pipe, after xargs (with a placeholder), in $(...)", () => {
    expect(airconnRuns(`AIRCONN_TOKEN=x airconn list -o json | jq -r '.[].connection_id'`)).toEqual([
      ["list", "-o", "json"],
    ]);
    expect(airconnRuns(`airconn list | cut -f1 | xargs -n 10 airconn delete --yes`)).toEqual([
      ["list"],
      ["delete", "--yes", "ID"],
    ]);
    expect(airconnRuns(`airconn -p prod export - | airconn -p staging import - --format json`)).toEqual([
      ["-p", "prod", "export", "-"],
      ["-p", "staging", "import", "-", "--format", "json"],
    ]);
    expect(airconnRuns(`X=$(airconn get a -o json) && sudo airconn status`)).toEqual([
      ["get", "a", "-o", "json"],
      ["status"],
    ]);
    expect(airconnRuns(`echo airconn list`)).toEqual([]);
  });
});

describe("the parser the examples are checked with", () => {
  it("accepts what the CLI accepts", async () => {
    expect(await parseProblem(["list", "--pattern", "a", "-o", "json"])).toBeUndefined();
    expect(await parseProblem(["-vo", "json", "profile", "set", "x", "--api-url", "http://h"])).toBeUndefined();
    expect(await parseProblem(["help", "environment"])).toBeUndefined();
  });

  it("fails on an unknown command or flag, a missing argument, a bad value", async () => {
    expect(await parseProblem(["lst"])).toMatch(/unknown command 'lst'/);
    expect(await parseProblem(["list", "--no-such-flag"])).toMatch(/unknown option '--no-such-flag'/);
    expect(await parseProblem(["get"])).toMatch(/missing required argument 'connection-id'/);
    expect(await parseProblem(["list", "-o", "xml"])).toMatch(/Allowed choices/);
    expect(await parseProblem(["list", "--limit", "ten"])).toMatch(/--limit must be an integer/);
    expect(await parseProblem(["profile", "set"])).toMatch(/missing required argument 'name'/);
  });
});

describe("every example in the help", () => {
  it("runs airconn, and each run parses with the current command tree", async () => {
    const { problems, runs } = await checkExamples(buildProgram({ io: testIO(), env: {} }));
    expect(problems).toEqual([]);
    // Every command's help has examples (the completion test checks that); a count that falls means lines were lost.
    expect(runs).toBeGreaterThan(90);
  });

  it("fails for an example that the tree does not parse (an unknown flag, too many arguments)", async () => {
    const program = buildProgram({ io: testIO(), env: {} });
    const list = program.commands.find((c) => c.name() === "list")!;
    list.addHelpText("after", examples(["$ airconn list --colour never", "$ cat ids | xargs airconn get extra-id"]));
    const { problems } = await checkExamples(program);
    expect(problems).toEqual([
      "airconn list --help: airconn list --colour never\n    error: unknown option '--colour'",
      "airconn list --help: cat ids | xargs airconn get extra-id\n    error: too many arguments for 'get'. Expected 1 argument but got 2.",
    ]);
  });
});
