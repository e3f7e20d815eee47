// Where the bearer token comes from, and how a new one is obtained when the server answers 401.
// One abstraction for every source: a fixed token (flag, env, profile) cannot refresh; a token command
// (`token_command`, AIRCONN_TOKEN_COMMAND, --token-command) is run again; AIRCONN_USERNAME/AIRCONN_PASSWORD
// POST /auth/token again. Concurrent requests refused together share one refresh (single flight), and a
// refreshed token that is refused before it ever worked is not refreshed again (no loop).
import { spawn } from "node:child_process";
import { AuthError } from "../errors.js";

export interface TokenSource {
  /** The token to send, obtained on first use. */
  get(): Promise<string>;
  /**
   * Whether a 401 with this detail is worth a new token from this source. A fixed token never is.
   */
  canRefresh(detail: string): boolean;
  /**
   * A new token after `stale` was refused with a 401, or undefined when no new token can help (a refresh already
   * gave a token that was refused before it worked once). Callers refused together share one refresh: the first
   * runs it, the others get its result; a caller whose stale token was already replaced gets the replacement.
   */
  refresh(stale: string): Promise<string | undefined>;
  /** A request with this token succeeded. */
  accepted(token: string): void;
  /** What the source is, for messages ("the token command of profile prod"); never the token. */
  readonly label: string;
  /** How many tokens were obtained so far (first one included). */
  readonly fetches: number;
}

/** A token that cannot be renewed (from --token, AIRCONN_TOKEN or the profile). */
export class FixedTokenSource implements TokenSource {
  readonly fetches = 1;
  constructor(private readonly token: string, readonly label = "the token") {}
  get(): Promise<string> { return Promise.resolve(this.token); }
  canRefresh(): boolean { return false; }
  refresh(): Promise<string | undefined> { return Promise.resolve(undefined); }
  accepted(): void {}
}

/** A source that obtains tokens by calling `fetch` (a command, POST /auth/token), first on use and again on 401. */
export class RefreshingTokenSource implements TokenSource {
  private current?: Promise<string>;
  private pending?: Promise<string>;
  private readonly good = new Set<string>();
  private readonly refreshed = new Set<string>();
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<string>,
    readonly label: string,
    private readonly refreshOn: (detail: string) => boolean = () => true,
    /** Told when a refresh starts (verbose logging); never given the token. */
    private readonly onRefresh?: (reason: string) => void,
  ) {}

  private fetch(): Promise<string> {
    this.fetches++;
    return this.fetchToken();
  }

  get(): Promise<string> {
    return (this.current ??= this.fetch());
  }

  canRefresh(detail: string): boolean { return this.refreshOn(detail); }

  async refresh(stale: string): Promise<string | undefined> {
    if (this.pending) return this.pending;
    const now = this.current ? await this.current.catch(() => undefined) : undefined;
    if (this.pending) return this.pending; // another caller started the refresh while this one waited
    if (now !== undefined && now !== stale) return now; // already replaced: use the replacement
    // A token from a refresh that was refused before any request succeeded with it: another one will not help.
    if (this.refreshed.has(stale) && !this.good.has(stale)) return undefined;
    this.onRefresh?.(`running ${this.label} again after a 401`);
    const p = this.fetch();
    this.pending = p;
    this.current = p;
    try {
      const t = await p;
      this.refreshed.add(t);
      return t;
    } finally {
      this.pending = undefined;
    }
  }

  accepted(token: string): void { this.good.add(token); }
}

export interface TokenCommandOptions {
  command: string;
  /** "profile prod" or "AIRCONN_TOKEN_COMMAND" or "--token-command": named in errors. */
  from: string;
  /** The profile in effect, named in errors. */
  profile: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Inherit the terminal's stdin (a command may prompt); otherwise stdin is /dev/null, never airconn's data. */
  stdinIsTTY: boolean;
  /** The command's stderr: passed through as it comes. "inherit" hands it the terminal itself. */
  stderr: "inherit" | ((chunk: string) => void);
  signal?: AbortSignal;
}

export const DEFAULT_TOKEN_COMMAND_TIMEOUT_S = 30;

/** Runs the token command through the user's shell and returns its trimmed stdout. Every failure is an AuthError (exit 4). */
export function runTokenCommand(o: TokenCommandOptions): Promise<string> {
  const shell = o.env.SHELL && o.env.SHELL.startsWith("/") ? o.env.SHELL : "/bin/sh";
  const who = `the token command ${o.from === `profile ${o.profile}` ? `of profile "${o.profile}"` : `(from ${o.from}) for profile "${o.profile}"`}`;
  const hint = "run the command yourself to see what it prints (`airconn profile show` shows it)";
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(shell, ["-c", o.command], {
        env: o.env,
        stdio: [o.stdinIsTTY ? "inherit" : "ignore", "pipe", o.stderr === "inherit" ? "inherit" : "pipe"],
      });
    } catch (e) {
      reject(new AuthError(`${who} could not be started: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let timedOut = false;
    let settled = false;
    child.stdout!.on("data", (b: Buffer) => { outBytes += b.length; if (outBytes <= 1 << 20) out.push(b); });
    if (o.stderr !== "inherit") {
      const forward = o.stderr;
      child.stderr!.setEncoding("utf8").on("data", (s: string) => forward(s));
    }
    const kill = () => { try { child.kill("SIGTERM"); } catch { /* gone */ } };
    // A timed-out or cancelled command is abandoned at once: something it started may still hold its pipes open.
    const abandon = (e: Error) => {
      kill();
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      done(e);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      abandon(new AuthError(`${who} did not finish within ${o.timeoutMs / 1000} s`, "raise the limit with AIRCONN_TOKEN_COMMAND_TIMEOUT=<seconds>, or check the command"));
    }, o.timeoutMs);
    const onAbort = () => abandon(new AuthError(`${who} was interrupted`));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const done = (e?: Error, token?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (e) reject(e); else resolve(token!);
    };
    child.on("error", (e: NodeJS.ErrnoException) => done(new AuthError(`${who} could not be started: ${e.code ?? e.message}`, hint)));
    child.on("close", (code, signal) => {
      if (timedOut) return;
      if (signal) return done(new AuthError(`${who} was stopped by ${signal}`, hint));
      if (code !== 0) return done(new AuthError(`${who} failed with exit status ${code}`, hint));
      if (outBytes > 1 << 20) return done(new AuthError(`${who} printed more than 1 MiB, not a token`, hint));
      const token = Buffer.concat(out).toString("utf8").trim();
      if (!token) return done(new AuthError(`${who} printed no token (exit status 0)`, hint));
      if (/[\s\x00-\x1f\x7f]/.test(token)) {
        const lines = token.split(/\r?\n/).length;
        return done(new AuthError(`${who} printed ${lines > 1 ? `${lines} lines` : "text with spaces or control characters"}, not one token (exit status 0)`,
          "the command must print only the token on stdout (messages go to stderr)"));
      }
      done(undefined, token);
    });
  });
}
