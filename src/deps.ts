// What a command's run() receives: IO, environment, settings with their sources, a lazily built API client,
// the profile store, a prompter and the cancellation signal. Nothing here does I/O until asked.
import { AirflowApi } from "./api/client.js";
import { ConfigStore } from "./config/store.js";
import { resolveSettings, type Auth, type Resolved, type TlsSettings } from "./config/resolve.js";
import { makeDispatcher, proxyEnv, proxyFor } from "./api/transport.js";
import { AuthError, UsageError } from "./errors.js";
import { resolveFormat, useColor, type OutputOptions } from "./output/format.js";
import type { IO } from "./output/io.js";
import { inquirerPrompter, type Prompter } from "./prompts/prompter.js";
import { VERSION } from "./version.js";
import { plainHttpWarning } from "./util/plain-http.js";
import type { Dispatcher } from "undici";
import type { TokenSource } from "./api/token.js";
import { checkProfileName } from "./config/store.js";
import type { ServerVersion } from "./api/server.js";

export interface GlobalOptions {
  profile?: string;
  apiUrl?: string;
  token?: string;
  tokenCommand?: string;
  output?: string;
  color?: boolean;       // false with --no-color
  input?: boolean;       // false with --no-input
  verbose?: boolean;
  timeout?: number;      // seconds
  retries?: number;
  caCert?: string;
  insecure?: boolean;
  concurrency?: number;
}

export interface Deps {
  io: IO;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  config: ConfigStore;
  /** The hard stop: Ctrl-C (SIGINT), SIGTERM, SIGHUP or a closed stdout abort the requests in flight. */
  signal: AbortSignal;
  /**
   * The soft stop of a command that writes many ids (issue 19): once it has called stopGracefully(), the first
   * signal fires this one instead of `signal`: no new request starts, those in flight finish, the report is printed.
   */
  stopping: AbortSignal;
  /** Declares that from now on a signal stops sending (`stopping`) rather than aborting; returns `stopping`. */
  stopGracefully(): AbortSignal;
  settings(): Resolved;
  /** An API client with a token (from flag, env, AIRCONN_USERNAME/PASSWORD, or the profile). */
  api(): Promise<AirflowApi>;
  /** An API client for a given base URL, without a token (login). */
  apiFor(baseUrl: string, token?: string): Promise<AirflowApi>;
  /**
   * An API client for another stored profile (diff/apply --from-profile): only what that profile holds (api_url,
   * token_command, token) counts; the flags and AIRCONN_* variables of this run belong to the current profile.
   */
  apiForProfile(name: string): Promise<{ api: AirflowApi; settings: Resolved }>;
  output(): OutputOptions;
  canPrompt(): boolean;
  prompter(): Prompter;
  warn(message: string): void;
  note(message: string): void;
  concurrency(): number;
  /**
   * The Airflow version at the API URL (GET /api/v2/version, cached for a few minutes per URL), or undefined when it
   * cannot be read: a command that merely adapts to the version goes on without it.
   */
  serverVersion(): Promise<ServerVersion | undefined>;
  /** Waits, or rejects with the abort reason on Ctrl-C. */
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface DepsInit {
  io: IO;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  signal?: AbortSignal;
  /** The soft stop (see Deps.stopping), and what tells the signal handler that the command stops gracefully. */
  stopping?: AbortSignal;
  onStopGracefully?: () => void;
  /** Tests: use this dispatcher (e.g. undici MockAgent) for every request. */
  dispatcher?: Dispatcher;
  prompter?: Prompter;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export function createDeps(init: DepsInit): Deps {
  const { io, env, globals } = init;
  const config = new ConfigStore(env);
  const signal = init.signal ?? new AbortController().signal;
  const stopping = init.stopping ?? new AbortController().signal;
  let resolved: Resolved | undefined;
  let api: Promise<AirflowApi> | undefined;
  let serverVersion: Promise<ServerVersion | undefined> | undefined;
  const secrets: string[] = [];
  const warned = new Set<string>();

  const redact = (s: string) => secrets.filter((x) => x.length >= 4).reduce((t, x) => t.split(x).join("[REDACTED]"), s);
  const warn = (m: string) => { if (!warned.has(m)) { warned.add(m); io.err(`airconn: warning: ${redact(m)}\n`); } };

  // One dispatcher per TLS setting (the current profile's; another profile's for --from-profile); the proxy comes
  // from the environment for all. Node's built-in fetch needs none when there is neither (no undici load cost).
  const proxies = proxyEnv(env);
  const dispatchers = new Map<string, Promise<Dispatcher | undefined>>();
  /** The TLS settings of this run's profile (a profile `login` is about to create has none stored yet). */
  const currentTls = (): TlsSettings => resolveSettings(globals, env, config, { allowNewProfile: true }).tls;
  const getDispatcher = (tls: TlsSettings): Promise<Dispatcher | undefined> => {
    if (init.dispatcher) return Promise.resolve(init.dispatcher);
    const key = JSON.stringify([tls.caCert?.value, !!tls.insecure]);
    let d = dispatchers.get(key);
    if (!d) dispatchers.set(key, d = makeDispatcher(tls, proxies));
    return d;
  };

  const timeoutMs = () => {
    const t = globals.timeout ?? 30;
    return t * 1000;
  };

  /** A wait that Ctrl-C ends at once (polls, and the HTTP client's back-off and Retry-After waits). */
  const sleep = (ms: number): Promise<void> => init.sleep ? init.sleep(ms) : new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => { signal.removeEventListener("abort", stop); resolve(); }, ms);
    const stop = () => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener("abort", stop, { once: true });
  });

  const makeApi = async (baseUrl: string, token: string | undefined, auth?: TokenSource, tls: TlsSettings = currentTls()) => {
    if (token) secrets.push(token);
    const plain = token || auth ? plainHttpWarning(baseUrl, "the token") : undefined;
    if (plain) warn(plain);
    // A stored or exported `insecure` is easy to forget: it is said on every run that uses it.
    if (tls.insecure && tls.insecure.source !== "flag" && baseUrl.startsWith("https:")) {
      warn(`the certificate of ${new URL(baseUrl).host} is not verified (insecure from ${tls.insecure.detail}): anyone on the way can read the token; ` +
        (tls.insecure.source === "profile" ? `keep the CA instead: airconn profile set ${tls.insecure.detail.replace(/^profile /, "")} --ca-cert FILE` : "unset AIRCONN_INSECURE and use AIRCONN_CA_CERT"));
    }
    return new AirflowApi({
      baseUrl, token, auth, timeoutMs: timeoutMs(), retries: globals.retries ?? 3, dispatcher: await getDispatcher(tls), signal,
      proxy: init.dispatcher ? undefined : proxyFor(new URL(baseUrl), proxies),
      sleep, userAgent: `airconn/${VERSION} node/${process.versions.node}`,
      verbose: globals.verbose ? verboseLog : undefined,
      notice: (line) => io.err(`airconn: ${redact(line)}\n`),
    });
  };

  const verboseLog = (line: string) => { if (globals.verbose) io.err(`* ${redact(line)}\n`); };
  /** Every token a source obtains is a secret of this run: redacted from any message and verbose line. */
  const remember = (get: () => Promise<string>) => async () => { const t = await get(); secrets.push(t); return t; };

  /** The token source for resolved settings; undefined when there is nothing to authenticate with. */
  const tokenSource = async (s: Resolved, auth: Auth): Promise<TokenSource | undefined> => {
    const { FixedTokenSource, RefreshingTokenSource } = await import("./api/token.js");
    switch (auth.kind) {
      case "token":
        secrets.push(auth.token.value);
        return new FixedTokenSource(auth.token.value, `the token from ${auth.token.detail}`);
      case "command": {
        const { runTokenCommand, DEFAULT_TOKEN_COMMAND_TIMEOUT_S } = await import("./api/token-command.js");
        const raw = env.AIRCONN_TOKEN_COMMAND_TIMEOUT;
        const secs = raw === undefined || raw === "" ? DEFAULT_TOKEN_COMMAND_TIMEOUT_S : Number(raw);
        if (!(secs > 0 && secs <= 3600)) throw new UsageError(`AIRCONN_TOKEN_COMMAND_TIMEOUT takes seconds between 0 and 3600, got "${raw}"`);
        const label = auth.command.source === "profile" ? `the token command of profile "${s.profile.value}"` : `the token command (from ${auth.command.detail})`;
        const run = () => runTokenCommand({
          command: auth.command.value, from: auth.command.detail, profile: s.profile.value, env, timeoutMs: secs * 1000,
          stdinIsTTY: io.stdinIsTTY, stderr: io.stderrIsTTY ? "inherit" : (c) => io.err(redact(c)), signal,
        });
        // Any 401 is worth a new token from a command: other auth managers word an expired token differently.
        return new RefreshingTokenSource(remember(run), label, () => true, verboseLog);
      }
      case "password": {
        secrets.push(auth.password);
        const plain = plainHttpWarning(s.apiUrl.value, "the password");
        if (plain) warn(plain);
        const anon = await makeApi(s.apiUrl.value, undefined, undefined, s.tls);
        const get = () => anon.token(auth.username, auth.password);
        // A new token only for an expired one: another 401 (no token sent) is not cured by logging in again.
        return new RefreshingTokenSource(remember(get), "AIRCONN_USERNAME/AIRCONN_PASSWORD", (detail) => /expired/i.test(detail), verboseLog);
      }
      default:
        return undefined;
    }
  };

  const apiWith = async (s: Resolved, auth: Auth): Promise<AirflowApi> => {
    const source = await tokenSource(s, auth);
    if (!source) {
      throw new AuthError(`not logged in: no token for profile "${s.profile.value}" (${s.apiUrl.value})`,
        "run `airconn login`, set AIRCONN_TOKEN (or AIRCONN_USERNAME and AIRCONN_PASSWORD), or give the profile a --token-command");
    }
    // The first token is obtained now: a failing token command or login fails before any other work.
    await source.get();
    return makeApi(s.apiUrl.value, undefined, source, s.tls);
  };

  const deps: Deps = {
    io, env, globals, config, signal, stopping,
    stopGracefully: () => {
      signal.throwIfAborted();
      init.onStopGracefully?.();
      return stopping;
    },
    settings: () => (resolved ??= resolveSettings(globals, env, config)),
    api: () => (api ??= (async () => {
      const s = deps.settings();
      return apiWith(s, s.auth);
    })()),
    apiForProfile: async (name) => {
      checkProfileName(name);
      if (!config.profile(name)) throw new UsageError(`no profile named "${name}"`, "list profiles with `airconn profile list`");
      const s = resolveSettings({ profile: name }, {}, config);
      return { api: await apiWith(s, s.auth), settings: s };
    },
    apiFor: (baseUrl, token) => makeApi(baseUrl, token),
    output: () => ({ format: resolveFormat(globals.output, io), color: useColor(io, env, globals.color === false) }),
    canPrompt: () => io.stdinIsTTY && io.stderrIsTTY && globals.input !== false && env.AIRCONN_NO_INPUT !== "1" && env.AIRCONN_NO_INPUT !== "true",
    prompter: () => init.prompter ?? inquirerPrompter(io, signal),
    warn,
    note: (m) => io.err(`${redact(m)}\n`),
    concurrency: () => globals.concurrency ?? 8,
    serverVersion: () => (serverVersion ??= (async () => {
      const { readServerVersion } = await import("./api/server.js");
      const url = deps.settings().apiUrl.value;
      try {
        return await readServerVersion({ env, apiUrl: url, now: init.now?.(), fetch: async () => (await makeApi(url, undefined)).version() });
      } catch (e) {
        if (signal.aborted) throw e;
        if (globals.verbose) io.err(`* could not read the server version: ${redact((e as Error).message)}\n`);
        return undefined;
      }
    })()),
    sleep,
    now: () => init.now?.() ?? Date.now(),
  };
  return deps;
}

// Read from package.json (../package.json from both src/ and dist/), the one place the version lives: bin/airconn
// answers a bare --version from it without loading the CLI (issue 7), so the two can never disagree.
export { VERSION };
