// Where the bearer token comes from, and how a new one is obtained when the server answers 401.
// One abstraction for every source: a fixed token (flag, env, profile) cannot refresh; a token command
// (`token_command`, AIRCONN_TOKEN_COMMAND, --token-command) is run again; AIRCONN_USERNAME/AIRCONN_PASSWORD
// POST /auth/token again. Concurrent requests refused together share one refresh (single flight), and a
// refreshed token that is refused before it ever worked is not refreshed again (no loop). Running a command is in
// token-command.ts, so the request layer never loads node:child_process.

import { UsageError } from "../errors.js";

/**
 * What in a token an HTTP header cannot carry, as a phrase with its place ("a line break at character 51"), or
 * undefined. fetch refuses such a header with a message that quotes the whole header, token included: it is
 * checked before any request instead. Spaces and tabs around the token are not counted (the header drops them).
 */
export function tokenProblem(token: string): string | undefined {
  const t = trimHeaderSpace(token);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const at = ` at character ${i + 1}`;
    if (c === 10 || c === 13) return `a line break${at}`;
    if (c === 0) return `a NUL character${at}`;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `a control character${at}`;
    if (c > 0xff) return `a character an HTTP header cannot carry (outside Latin-1)${at}`;
  }
  return undefined;
}

/** Spaces, tabs and line breaks around a header value: fetch removes them, and so does airconn before checking. */
const trimHeaderSpace = (s: string) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

/**
 * The token as it will be sent (surrounding whitespace removed), or a UsageError (exit 2) that says what is wrong
 * and where it came from: "the token from AIRCONN_TOKEN contains a line break at character 51". Never its value.
 */
export function checkToken(token: string, what = "the token"): string {
  const problem = tokenProblem(token);
  if (problem) {
    throw new UsageError(
      `${what} contains ${problem}`,
      "a token is one line of printable characters: check how it was set (a line break pasted into a variable or a file, a token split over lines)",
    );
  }
  return trimHeaderSpace(token);
}

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
  constructor(
    private readonly token: string,
    readonly label = "the token",
  ) {}
  /** The token, checked before its first use (a token that cannot be sent is a UsageError naming the label). */
  get(): Promise<string> {
    try {
      return Promise.resolve(checkToken(this.token, this.label));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  canRefresh(): boolean {
    return false;
  }
  refresh(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
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

  /** A new token from the source, checked like any other before it is sent. */
  private fetch(): Promise<string> {
    this.fetches++;
    return this.fetchToken().then((t) => checkToken(t, `the token from ${this.label}`));
  }

  get(): Promise<string> {
    return (this.current ??= this.fetch());
  }

  canRefresh(detail: string): boolean {
    return this.refreshOn(detail);
  }

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

  accepted(token: string): void {
    this.good.add(token);
  }
}
