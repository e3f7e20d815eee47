// What a command's run() receives: IO, environment, settings with their sources, a lazily built API client,
// the profile store, a prompter and the cancellation signal. Nothing here does I/O until asked.
import type { AirflowApi } from "./api/client.js";
import { Secrets } from "./util/secrets.js";
import { ConfigStore } from "./config/store.js";
import { profileSettings, resolveSettings, type GlobalOptions, type Resolved } from "./config/resolve.js";
import { resolveFormat, useColor, type OutputOptions } from "./output/format.js";
import type { IO } from "./output/io.js";
import { canPrompt, inquirerPrompter, type Prompter } from "./prompts/prompter.js";
import { abortableSleep } from "./util/sleep.js";
import type { Dispatcher } from "undici";

export type { GlobalOptions };

export interface Deps {
  io: IO;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  config: ConfigStore;
  /** The hard stop: Ctrl-C (SIGINT), SIGTERM, SIGHUP or a closed stdout abort the requests in flight. */
  signal: AbortSignal;
  /** The soft stop (issue 19): after stopGracefully(), a signal fires this instead: no new request, the report printed. */
  stopping: AbortSignal;
  /** Declares that from now on a signal stops sending (`stopping`) rather than aborting; returns `stopping`. */
  stopGracefully(): AbortSignal;
  settings(): Resolved;
  /** An API client with a token (from flag, env, AIRCONN_USERNAME/PASSWORD, or the profile). */
  api(): Promise<AirflowApi>;
  /** An API client for a given base URL, with this token or none (login, the server's version before a token). */
  apiFor(baseUrl: string, token?: string): Promise<AirflowApi>;
  /** A client for another stored profile (--from-profile): only what it holds counts, not this run's flags and variables. */
  apiForProfile(name: string): Promise<{ api: AirflowApi; settings: Resolved }>;
  output(): OutputOptions;
  canPrompt(): boolean;
  prompter(): Prompter;
  warn(message: string): void;
  note(message: string): void;
  concurrency(): number;
  sleep(ms: number): Promise<void>; // waits, or rejects with the abort reason on Ctrl-C
  now(): number;
}

/** What main() (or a test) gives: the IO, environment and flags, and optionally the signals, clock and doubles. */
export interface DepsInit
  extends Pick<Deps, "io" | "env" | "globals">,
    Partial<Pick<Deps, "signal" | "stopping" | "sleep" | "now">> {
  onStopGracefully?: () => void; // tells the signal handler that the command stops gracefully (Deps.stopping)
  dispatcher?: Dispatcher; // tests: this dispatcher (e.g. undici MockAgent) for every request
  prompter?: Prompter;
}

export function createDeps(init: DepsInit): Deps {
  const { io, env, globals } = init;
  const config = new ConfigStore(env);
  const signal = init.signal ?? new AbortController().signal;
  const stopping = init.stopping ?? new AbortController().signal;
  let resolved: Resolved | undefined;
  let api: Promise<AirflowApi> | undefined;
  const secrets = new Secrets();
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (!warned.has(m)) {
      warned.add(m);
      io.err(`airconn: warning: ${secrets.redact(m)}\n`);
    }
  };
  const sleep = init.sleep ?? ((ms: number) => abortableSleep(ms, signal));
  // The API layer loads with the first client: --help and completion never load it.
  let clients: Promise<ReturnType<typeof import("./api/clients.js").apiClients>> | undefined;
  const make = () =>
    (clients ??= import("./api/clients.js").then((m) =>
      m.apiClients({
        env,
        io,
        signal,
        secrets,
        warn,
        sleep,
        now: init.now,
        dispatcher: init.dispatcher,
        timeoutMs: (globals.timeout ?? 30) * 1000,
        retries: globals.retries ?? 3,
        verbose: globals.verbose ? (line) => io.err(`* ${secrets.redact(line)}\n`) : undefined,
        notice: (line) => io.err(`airconn: ${secrets.redact(line)}\n`),
        // A client from a URL alone has this run's TLS settings (a profile `login` is about to create has none stored yet).
        tls: () => resolveSettings(globals, env, config, { allowNewProfile: true }).tls,
        // And its MWAA environment, for a client made from the URL mwaa://ENV alone (the server's version).
        mwaa: () => resolveSettings(globals, env, config, { allowNewProfile: true }).mwaa,
      }),
    ));

  const deps: Deps = {
    io,
    env,
    globals,
    config,
    signal,
    stopping,
    stopGracefully: () => {
      signal.throwIfAborted();
      init.onStopGracefully?.();
      return stopping;
    },
    settings: () => (resolved ??= resolveSettings(globals, env, config)),
    api: () => (api ??= make().then((c) => c.forSettings(deps.settings()))),
    apiForProfile: async (name) => {
      const settings = profileSettings(name, config);
      return { api: await (await make()).forSettings(settings), settings };
    },
    apiFor: async (baseUrl, token) => (await make()).forUrl(baseUrl, token),
    output: () => ({ format: resolveFormat(globals.output, io), color: useColor(io, env, globals.color === false) }),
    canPrompt: () => canPrompt(io, env, globals.input !== false),
    prompter: () => init.prompter ?? inquirerPrompter(io, signal),
    warn,
    note: (m) => io.err(`${secrets.redact(m)}\n`),
    concurrency: () => globals.concurrency ?? 8,
    sleep,
    now: () => init.now?.() ?? Date.now(),
  };
  return deps;
}
