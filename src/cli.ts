// Wiring: the command tree, global options, and main(), the one place that turns errors into exit codes.
import { createRequire } from "node:module";
import type * as CommanderModule from "commander";
import type { Command } from "commander";
import { AirconnError, CancelledError, EXIT, exitCodeFor } from "./errors.js";
import { createDeps, VERSION, type Deps, type DepsInit, type GlobalOptions } from "./deps.js";
import { systemIO, type IO } from "./output/io.js";
import { FORMATS } from "./output/format.js";
import { COMMANDS } from "./commands/index.js";

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

export function buildProgram(init: Omit<DepsInit, "globals">): Command {
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

  const ctx: CommandContext = {
    deps: (cmd) => createDeps({ ...init, globals: cmd.optsWithGlobals<GlobalOptions>() }),
  };
  for (const register of COMMANDS) register(program, ctx);
  return program;
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
  const program = buildProgram(init);
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
