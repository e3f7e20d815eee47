// Issue 11: one command tree, parsed by commander alone. Parse-only tests: the real program (every command
// registered), each action replaced by a recorder, so what commander hands a command is checked without running it.
import { describe, expect, it } from "vitest";
import { buildProgram, hasAction, leafCommands } from "../../src/cli.js";
import { type Command, CommanderError, optionsOf } from "../../src/commands/kit.js";
import { ORDER_BY_FIELDS } from "../../src/api/types.js";
import { testIO } from "../../src/output/io.js";

interface Parsed {
  command: string;
  args: unknown[];
  opts: Record<string, unknown>;
}

/** Parses argv with the real tree; returns which command would run, its arguments and its options (with globals). */
async function parse(argv: string[]): Promise<Parsed> {
  const program = buildProgram({ io: testIO(), env: {} });
  let parsed: Parsed | undefined;
  const silence = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    c.commands.forEach(silence);
  };
  silence(program);
  for (const { name, cmd } of leafCommands(program)) {
    cmd.action((...a: unknown[]) => {
      const self = a.at(-1) as Command;
      parsed = { command: name, args: a.slice(0, -2), opts: optionsOf(self) };
    });
  }
  await program.parseAsync(argv, { from: "user" });
  if (!parsed) throw new Error(`nothing ran for ${argv.join(" ")}`);
  return parsed;
}

async function parseError(argv: string[]): Promise<string> {
  try {
    await parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.message;
    throw e;
  }
  throw new Error(`parsed: ${argv.join(" ")}`);
}

describe("the command tree", () => {
  it("every command that can be run has an action (a stub would exit 0 having done nothing)", () => {
    const leaves = leafCommands(buildProgram({ io: testIO(), env: {} }));
    expect(leaves.map((l) => l.name)).toEqual(
      expect.arrayContaining([
        "login",
        "logout",
        "profile list",
        "profile set",
        "list",
        "get",
        "create",
        "patch",
        "delete",
        "test",
        "bulk",
        "import",
        "export",
        "diff",
        "apply",
        "completion",
      ]),
    );
    expect(leaves.filter((l) => !hasAction(l.cmd)).map((l) => l.name)).toEqual([]);
  });

  it("a leaf without an action fails with exit 1 instead of exiting 0 silently", async () => {
    const { main } = await import("../../src/cli.js");
    const { COMMANDS } = await import("../../src/commands/index.js");
    const io = testIO();
    COMMANDS.push((program) => {
      program.command("noaction").description("a command someone forgot to finish");
    });
    try {
      expect(await main(["noaction"], { io, env: {} })).toBe(1);
      expect(io.stderr()).toBe('airconn: internal error: the command "noaction" has no action\n');
      expect(io.stdout()).toBe("");
    } finally {
      COMMANDS.pop();
    }
  });
});

describe("option forms commander accepts", () => {
  it("combined short flags: -vo json list", async () => {
    expect(await parse(["-vo", "json", "list"])).toMatchObject({
      command: "list",
      opts: { verbose: true, output: "json" },
    });
    expect(await parse(["-vojson", "list"])).toMatchObject({
      command: "list",
      opts: { verbose: true, output: "json" },
    });
  });

  it("global options before or after the command, --opt=value, -ovalue", async () => {
    for (const argv of [
      ["--api-url", "http://a:1", "-o", "json", "list"],
      ["list", "--api-url", "http://a:1", "-o", "json"],
      ["list", "--api-url=http://a:1", "--output=json"],
      ["--api-url=http://a:1", "list", "-ojson"],
    ]) {
      expect((await parse(argv)).opts, argv.join(" ")).toMatchObject({ apiUrl: "http://a:1", output: "json" });
    }
  });

  it("the value given last wins; negated globals keep their default unless given", async () => {
    expect((await parse(["-o", "yaml", "list", "-o", "json"])).opts.output).toBe("json");
    expect((await parse(["list"])).opts).toMatchObject({ color: true, input: true });
    expect((await parse(["--no-color", "list"])).opts).toMatchObject({ color: false, input: true });
    expect((await parse(["list", "--no-input"])).opts).toMatchObject({ color: true, input: false });
    expect((await parse(["-p", "a", "profile", "show", "-p", "b"])).opts.profile).toBe("b");
    expect((await parse(["--concurrency", "3", "list", "--timeout", "5"])).opts).toMatchObject({
      concurrency: 3,
      timeout: 5,
    });
  });

  it("--order-by -FIELD for every sortable field, with a space or =, and next to -p/-o/-v", async () => {
    for (const f of ORDER_BY_FIELDS) {
      expect((await parse(["list", "--order-by", `-${f}`])).opts, f).toMatchObject({ orderBy: [`-${f}`] });
      expect((await parse(["list", `--order-by=-${f}`])).opts, f).toMatchObject({ orderBy: [`-${f}`] });
      expect((await parse(["-p", "x", "list", "--order-by", `-${f}`, "-o", "json"])).opts, f).toMatchObject({
        orderBy: [`-${f}`],
        profile: "x",
        output: "json",
      });
    }
    expect((await parse(["list", "--order-by", "-port", "--order-by", "host"])).opts.orderBy).toEqual([
      "-port",
      "host",
    ]);
    expect((await parse(["list", "--order-by", "-port"])).opts.profile).toBeUndefined();
  });

  it("-- ends the options: what follows is an argument even if it starts with -", async () => {
    expect(await parse(["get", "--", "-p"])).toMatchObject({ command: "get", args: ["-p"] });
    expect(await parse(["-o", "json", "delete", "-y", "--", "-x", "-o"])).toMatchObject({
      command: "delete",
      args: [["-x", "-o"]],
      opts: { output: "json", yes: true },
    });
  });

  it("a command's own option of a global's name wins: profile set --api-url", async () => {
    expect(await parse(["profile", "set", "ci", "--api-url", "http://b:2"])).toMatchObject({
      command: "profile set",
      args: ["ci"],
      opts: { apiUrl: "http://b:2" },
    });
    expect((await parse(["--api-url", "http://c:3", "profile", "set", "ci"])).opts.apiUrl).toBe("http://c:3");
  });

  it("-o=json is a usage error that says how to write it", async () => {
    expect(await parseError(["list", "-o=json"])).toBe(
      `error: option '-o, --output <format>' argument '=json' is invalid. Write -o json, -ojson or --output=json (a short option takes no "=").`,
    );
    expect(await parseError(["-o", "xml", "list"])).toMatch(/Allowed choices are table, wide, plain, json, yaml\.$/);
  });
});
