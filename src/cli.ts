// Wiring: the command tree, global options, and main(), the one place that turns errors into exit codes.
// commander alone parses the command line: the whole tree is registered (registration is cheap, see
// commands/index.ts), so every form commander accepts works (`-vo json`, `--opt=value`, options before or after the
// command, `--`, values that start with `-`).
import {
  AirconnError,
  CancelledError,
  EXIT,
  exitCodeFor,
  MAX_PROBLEMS_SHOWN,
  NetworkError,
  ProblemsError,
} from "./errors.js";
import type { Deps, DepsInit, GlobalOptions } from "./deps.js";
import { VERSION } from "./version.js";
import { StdoutClosed, systemIO, type IO } from "./output/io.js";
import { escapeText } from "./output/sanitize.js";
import { FORMATS } from "./output/format.js";
import {
  Command,
  CommanderError,
  Help,
  InvalidArgumentError,
  Option,
  intArg,
  optionsOf,
  type CommandContext,
} from "./commands/kit.js";
import { COMMANDS } from "./commands/index.js";
import { HELP_TOPICS } from "./help/index.js";

const secondsArg = (v: string): number => {
  const n = Number(v);
  // 0 and negative numbers are numbers: say what is wrong with them rather than repeat the range.
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(v) && n <= 0)
    throw new InvalidArgumentError(`--timeout must be more than 0 seconds (at most 3600), got "${v}"`);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > 3600)
    throw new InvalidArgumentError(`--timeout takes seconds between 0 and 3600, got "${v}"`);
  return n;
};

/** commander's choices check, plus a pointer for `-o=json` (a short option takes `-o json` or `-ojson`). */
const formatArg = (v: string): string => {
  if ((FORMATS as readonly string[]).includes(v)) return v;
  if (v.startsWith("=") && (FORMATS as readonly string[]).includes(v.slice(1))) {
    throw new InvalidArgumentError(
      `Write -o ${v.slice(1)}, -o${v.slice(1)} or --output=${v.slice(1)} (a short option takes no "=").`,
    );
  }
  throw new InvalidArgumentError(`Allowed choices are ${FORMATS.join(", ")}.`);
};

/** The global options, as fresh Option objects (each command gets its own hidden copy, see globalsEverywhere). */
const GLOBAL_OPTIONS = (): Option[] => [
  new Option("-p, --profile <name>", "profile to use (env AIRCONN_PROFILE)"),
  new Option("--api-url <url>", "Airflow base URL, e.g. http://localhost:8080 (env AIRCONN_API_URL)"),
  new Option("--token <jwt>", "access token (env AIRCONN_TOKEN; prefer the env or `login` in scripts)"),
  new Option(
    "--token-command <cmd>",
    "shell command that prints an access token, run again once on a 401 (env AIRCONN_TOKEN_COMMAND)",
  ),
  new Option(
    "-o, --output <format>",
    "output format (default: table on a terminal, cut to its width, plain when piped; wide: the table uncut)",
  )
    .choices(FORMATS)
    .argParser(formatArg),
  new Option("--no-color", "disable colour (also NO_COLOR)"),
  new Option("--no-input", "never prompt (also AIRCONN_NO_INPUT=1)"),
  new Option("-v, --verbose", "log each HTTP request on stderr (method, URL, status, time; never the token)"),
  new Option("--timeout <seconds>", "per-request timeout in seconds (default 30)").argParser(secondsArg),
  new Option(
    "--retries <n>",
    "retries for reads on network errors, 429, 502, 503, 504, and for writes on 429 (default 3)",
  ).argParser(intArg("--retries", 0, 10)),
  new Option("--concurrency <n>", "parallel requests for paging and chunks (default 8)").argParser(
    intArg("--concurrency", 1, 64),
  ),
  new Option("--ca-cert <file>", "PEM file with the CA that signed the server's certificate"),
  new Option("--insecure", "do not verify the server's TLS certificate"),
  new Option(
    "--mwaa-environment <name>",
    "Amazon MWAA: send every request through this environment's InvokeRestApi, signed with AWS credentials, no token (env AIRCONN_MWAA_ENVIRONMENT)",
  ),
  new Option(
    "--aws-region <region>",
    "the AWS region of --mwaa-environment (env AIRCONN_AWS_REGION; else AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config)",
  ),
];

/**
 * Global options work before and after the command word, and a command's own option values may start with "-"
 * (`list --order-by -port`, where -p is also --profile). commander parses a program's options anywhere on the line by
 * default, so the program would take "-port" for "-p ort". Instead each command parses only the options before its
 * subcommand word (positional options), and the subcommand about to parse the rest gets hidden copies of the global
 * options (help lists them once, under "Global Options"). Copies are added only along the command line's path, not
 * to the whole tree: start-up cost. A command's own option of the same name (profile set --api-url) wins.
 */
function globalsEverywhere(cmd: Command): void {
  if (!cmd.commands.length) return;
  cmd.enablePositionalOptions();
  cmd.hook("preSubcommand", (_parent, sub) => {
    const own = new Set(sub.options.flatMap((o) => [o.short, o.long]));
    for (const o of GLOBAL_OPTIONS())
      if (!own.has(o.long) && !(o.short && own.has(o.short))) sub.addOption(o.hideHelp());
  });
  for (const sub of cmd.commands) globalsEverywhere(sub);
}

/** The program with its global options and every command. */
export function buildProgram(init: Omit<DepsInit, "globals">): Command {
  const program = new Command("airconn")
    .description("Manage Apache Airflow connections through the Airflow 3 REST API v2.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand(false) // commands/help.ts: commands and help topics
    .showSuggestionAfterError(true)
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: false,
      // "[options]" for a command's own options, not for the hidden copies of the global ones (globalsEverywhere), so
      // that the list reads the same whichever command was run (`airconn help` lists itself after getting them).
      subcommandTerm(this: Help, c: Command) {
        const term = Help.prototype.subcommandTerm.call(this, c);
        return c.options.some((o) => !o.hidden) ? term : term.replace(" [options]", "");
      },
    })
    .addHelpText(
      "after",
      `
Examples:
  $ airconn login --api-url http://localhost:8080          # prompts for user and password
  $ airconn list --pattern %customer_%                     # every matching connection
  $ airconn get my_postgres -o json
  $ AIRCONN_TOKEN=... airconn list -o json | jq -r '.[].connection_id'

Help topics:
${HELP_TOPICS.map((t) => `  ${t.name.padEnd(13)}${t.summary}`).join("\n")}

Run 'airconn help <command>' for a command's flags and examples, 'airconn help <topic>' for a topic.`,
    );
  for (const o of GLOBAL_OPTIONS()) program.addOption(o);

  // The dependencies (API client, profiles, prompter) load just before a command's action runs: help, version and
  // usage errors never need them.
  let depsModule: typeof import("./deps.js") | undefined;
  program.hook("preAction", async (_program, action) => {
    if (action.name() !== "help" || action.parent !== program) depsModule ??= await import("./deps.js");
  });
  const ctx: CommandContext = {
    deps: (cmd): Deps => depsModule!.createDeps({ ...init, globals: optionsOf<GlobalOptions>(cmd) }),
  };
  for (const register of COMMANDS) register(program, ctx);
  globalsEverywhere(program);
  return program;
}

/** The commands of a tree that are run (no subcommands), with their full names, e.g. "profile use". */
export function leafCommands(cmd: Command, prefix: string[] = []): Array<{ name: string; cmd: Command }> {
  return cmd.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return c.commands.length ? leafCommands(c, path) : [{ name: path.join(" "), cmd: c }];
  });
}

/** Whether commander will run something for this command (a private field of commander's Command). */
export const hasAction = (cmd: Command): boolean =>
  typeof (cmd as unknown as { _actionHandler?: unknown })._actionHandler === "function";

function configure(cmd: Command, io: IO): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    outputError: (s, write) => write(`airconn: ${s.replace(/^error: /, "")}`),
  });
  // A command that commander would run without an action would exit 0 having done nothing: never silently.
  if (cmd.parent && cmd.commands.length === 0 && !hasAction(cmd)) {
    cmd.action(() => {
      throw new AirconnError(`internal error: the command "${cmd.name()}" has no action`);
    });
  }
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

/**
 * Prints an error and returns its exit code. A message may quote the server (a detail, an id): its control
 * characters are shown as escapes (\x1b), never sent to the terminal (issue 18).
 */
export function report(err: unknown, io: IO, signal?: AbortSignal): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
      return err.code === "commander.help" && err.exitCode !== 0 ? EXIT.USAGE : EXIT.OK;
    }
    return EXIT.USAGE; // Commander already printed "airconn: <problem>"
  }
  // stdout closed (`airconn list | head -1`): the run was stopped on purpose, the reader has what it wanted. Quiet,
  // exit 0 (README, "Output in pipes"). Any other error that ends such a run is reported as usual.
  const stdoutClosed = signal?.aborted === true && signal.reason instanceof StdoutClosed;
  if (stdoutClosed && (err === signal.reason || (err as Error)?.name === "AbortError" || err instanceof NetworkError))
    return EXIT.OK;
  if ((signal?.aborted && !stdoutClosed) || err instanceof CancelledError) {
    io.err(`airconn: ${err instanceof CancelledError ? escapeText(err.message) : "interrupted"}\n`);
    return EXIT.INTERRUPTED;
  }
  if (err instanceof AirconnError) {
    if (err instanceof ProblemsError)
      for (const p of err.problems.slice(0, MAX_PROBLEMS_SHOWN)) io.err(`airconn: ${escapeText(p)}\n`);
    if (err.message) io.err(`airconn: ${escapeText(err.message)}\n`);
    if (err.hint) io.err(`hint: ${escapeText(err.hint)}\n`);
    return exitCodeFor(err);
  }
  const e = err as Error;
  io.err(`airconn: unexpected error: ${escapeText(String(e?.message ?? err))}\n`);
  if (process.env.AIRCONN_DEBUG && e?.stack) io.err(e.stack + "\n");
  return EXIT.FAILURE;
}

/** Entry point used by bin/airconn. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  // Nobody reads stdout any more: abort the requests in flight, send no more (see report()).
  const io = systemIO({ onStdoutClosed: () => controller.abort(new StdoutClosed()) });
  // SIGINT (Ctrl-C), SIGTERM (CI timeouts, `kill`) and SIGHUP (a closed terminal) all abort the same controller: the
  // command stops and cleans up (temporary files, partial documents). A command that is sending many writes (import,
  // bulk, apply, multi-id delete) has declared a graceful stop instead (Deps.stopGracefully): the first signal only
  // stops it sending; the requests in flight finish and the report says what was done and what was not (issue 19).
  // The exit code says which signal came (128 + its number); a second signal exits at once.
  const soft = new AbortController();
  let graceful = false;
  let interrupts = 0;
  let stoppedBy: number | undefined;
  for (const [sig, exit] of [
    ["SIGINT", EXIT.INTERRUPTED],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(sig, () => {
      interrupts++;
      stoppedBy ??= exit;
      if (interrupts > 1) process.exit(stoppedBy);
      if (graceful) {
        io.err(
          `airconn: stopping (${sig}): no new requests; waiting for those in flight, then the report (a second signal quits at once)\n`,
        );
        soft.abort();
      } else controller.abort();
    });
  }
  const code = await main(process.argv.slice(2), {
    io,
    env: process.env,
    signal: controller.signal,
    stopping: soft.signal,
    onStopGracefully: () => {
      graceful = true;
    },
  });
  await io.drain();
  process.exitCode = code === EXIT.INTERRUPTED && stoppedBy ? stoppedBy : code;
}
