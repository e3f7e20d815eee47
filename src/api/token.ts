// Where the bearer token comes from, and how a new one is obtained when the server answers 401.
// One abstraction for every source: a fixed token (flag, env, profile) cannot refresh; a token command
// (`token_command`, AIRCONN_TOKEN_COMMAND, --token-command) is run again; AIRCONN_USERNAME/AIRCONN_PASSWORD
// POST /auth/token again. Concurrent requests refused together share one refresh (single flight), and a
// refreshed token that is refused before it ever worked is not refreshed again (no loop). Running a command is in
// token-command.ts, so the request layer never loads node:child_process.

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
