// Wiring: the command tree, global options, and main(), the one place that turns errors into exit codes.
import { createRequire } from "node:module";
import type * as CommanderModule from "commander";
import type { Command } from "commander";
import { AirconnError, CancelledError, EXIT, exitCodeFor } from "./errors.js";
import type { Deps, DepsInit, GlobalOptions } from "./deps.js";
import { VERSION } from "./version.js";
import { systemIO, type IO } from "./output/io.js";
import { FORMATS } from "./output/format.js";
import { readFileSync } from "node:fs";

// commander is CommonJS: require() skips the ESM wrapper and the CJS-export scan that import() pays (~20 ms at start-up).
const { Command: CommandClass, CommanderError, InvalidArgumentError, Option } = createRequire(import.meta.url)("commander") as typeof CommanderModule;
export { InvalidArgumentError, Option };

export interface CommandContext {
  /** Builds the dependencies for a command from its parsed (global + own) options. */
  deps(cmd: Command): Deps;
}

export const intArg = (name: string, min: number, max: number) => (v: string): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
};
const secondsArg = (v: string): number => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > 3600) throw new InvalidArgumentError(`--timeout takes seconds between 0 and 3600, got "${v}"`);
  return n;
};

/** The program with its global options and no commands yet. */
function createProgram(init: Omit<DepsInit, "globals">): { program: Command; ctx: CommandContext } {
  const program = new CommandClass("airconn")
    .description("Manage Apache Airflow connections through the Airflow 3 REST API v2.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .option("-p, --profile <name>", "profile to use (env AIRCONN_PROFILE)")
    .option("--api-url <url>", "Airflow base URL, e.g. http://localhost:8080 (env AIRCONN_API_URL)")
    .option("--token <jwt>", "access token (env AIRCONN_TOKEN; prefer the env or `login` in scripts)")
    .option("--token-command <cmd>", "shell command that prints an access token, run again once on a 401 (env AIRCONN_TOKEN_COMMAND)")
    .addOption(new Option("-o, --output <format>", "output format (default: table on a terminal, plain when piped)").choices(FORMATS))
    .option("--no-color", "disable colour (also NO_COLOR)")
    .option("--no-input", "never prompt (also AIRCONN_NO_INPUT=1)")
    .option("-v, --verbose", "log each HTTP request on stderr (method, URL, status, time; never the token)")
    .option("--timeout <seconds>", "per-request timeout in seconds (default 30)", secondsArg)
    .option("--retries <n>", "retries for reads on network errors, 429, 502, 503, 504 (default 3)", intArg("--retries", 0, 10))
    .option("--concurrency <n>", "parallel requests for paging and chunks (default 8)", intArg("--concurrency", 1, 64))
    .option("--ca-cert <file>", "PEM file with the CA that signed the server's certificate")
    .option("--insecure", "do not verify the server's TLS certificate")
    .addHelpText("after", `
Examples:
  $ airconn login --api-url http://localhost:8080          # prompts for user and password
  $ airconn list --pattern %customer_%                     # every matching connection
  $ airconn get my_postgres -o json
  $ AIRCONN_TOKEN=... airconn list -o json | jq -r '.[].connection_id'

Exit codes: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 not authenticated, 5 conflict, 130 interrupted.
Run 'airconn help <command>' for a command's flags and examples.`);

  // The dependencies (API client, profiles, prompter) load just before a command's action runs: help, version and
  // usage errors never need them.
  let depsModule: typeof import("./deps.js") | undefined;
  program.hook("preAction", async () => { depsModule ??= await import("./deps.js"); });
  const ctx: CommandContext = {
    deps: (cmd) => depsModule!.createDeps({ ...init, globals: cmd.optsWithGlobals<GlobalOptions>() }),
  };
  return { program, ctx };
}

/** What `npm run build` writes beside dist/cli.js: each top-level command as `--help` lists it. */
export interface ManifestEntry { name: string; aliases: string[]; term: string; description: string; hidden: boolean }
const MANIFEST = new URL("./commands.json", import.meta.url);

/**
 * The program. Without argv (tests, completion generation): every command. With argv: only the module of the
 * command being run is loaded (start-up cost is per module), and the other commands are listed from the build's
 * manifest, so top-level help, `help` and suggestions for mistyped commands read exactly as with the full tree.
 */
export async function loadProgram(init: Omit<DepsInit, "globals">, argv?: string[]): Promise<Command> {
  const { program, ctx } = createProgram(init);
  const { COMMAND_MODULES } = await import("./commands/index.js");
  let manifest: ManifestEntry[] | undefined;
  if (argv) {
    try { manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as ManifestEntry[]; } catch { /* running from source: load all */ }
  }
  if (!argv || !manifest) {
    for (const m of COMMAND_MODULES) (await m.load()).register(program, ctx);
    return program;
  }
  const word = commandWord(program, argv);
  const wanted = COMMAND_MODULES.find((m) => m.names.includes(word ?? ""));
  if (wanted) (await wanted.load()).register(program, ctx);
  // The rest are listed, never run: running one means its name is the command word, which loads its module.
  const terms = new Map<Command, string>();
  for (const e of manifest) {
    if (program.commands.some((c) => c.name() === e.name)) continue;
    if (e.name === "help") continue; // commander's own help command
    const stub = program.command(e.name, { hidden: e.hidden }).aliases(e.aliases).description(e.description);
    terms.set(stub, e.term);
  }
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}

/** The command a command line names (for `help X`: X), skipping global options and their values. */
function commandWord(program: Command, argv: string[]): string | undefined {
  const takesValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long]).filter(Boolean));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return argv[i + 1];
    if (a.startsWith("-")) { if (takesValue.has(a)) i++; continue; }
    if (a === "help") return argv.slice(i + 1).find((x) => !x.startsWith("-")) ?? a;
    return a;
  }
  return undefined;
}

/** The manifest of the full program (scripts/gen-manifest.mjs writes it into dist/ at build time). */
export function manifestOf(program: Command): ManifestEntry[] {
  const help = program.createHelp();
  return program.commands.map((c) => ({
    name: c.name(), aliases: c.aliases(), term: help.subcommandTerm(c), description: c.description(), hidden: (c as unknown as { _hidden?: boolean })._hidden === true,
  }));
}

function configure(cmd: Command, io: IO): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    outputError: (s, write) => write(`airconn: ${s.replace(/^error: /, "")}`),
  });
  for (const sub of cmd.commands) configure(sub, io);
}

/** Runs airconn with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], init: Omit<DepsInit, "globals">): Promise<number> {
  const { io } = init;
  const program = await loadProgram(init, argv);
  configure(program, io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.OK;
  } catch (err) {
    return report(err, io, init.signal);
  }
}

export function report(err: unknown, io: IO, signal?: AbortSignal): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
      return err.code === "commander.help" && err.exitCode !== 0 ? EXIT.USAGE : EXIT.OK;
    }
    return EXIT.USAGE; // Commander already printed "airconn: <problem>"
  }
  if (signal?.aborted || err instanceof CancelledError) {
    io.err(`airconn: ${err instanceof CancelledError ? err.message : "interrupted"}\n`);
    return EXIT.INTERRUPTED;
  }
  if (err instanceof AirconnError) {
    if (err.message) io.err(`airconn: ${err.message}\n`);
    if (err.hint) io.err(`hint: ${err.hint}\n`);
    return exitCodeFor(err);
  }
  const e = err as Error;
  io.err(`airconn: unexpected error: ${e?.message ?? String(err)}\n`);
  if (process.env.AIRCONN_DEBUG && e?.stack) io.err(e.stack + "\n");
  return EXIT.FAILURE;
}

/** Entry point used by bin/airconn. */
export async function run(): Promise<void> {
  const io = systemIO();
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    controller.abort();
    if (interrupts > 1) process.exit(EXIT.INTERRUPTED);
  });
  const code = await main(process.argv.slice(2), { io, env: process.env, signal: controller.signal });
  await io.drain();
  process.exitCode = code;
}
