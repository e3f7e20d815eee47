// How a run authenticates, in one place: the token source its settings name (a fixed token, a token command, a login
// with AIRCONN_USERNAME/AIRCONN_PASSWORD), which 401 makes each source get a new token, the secrets of the run that
// every line airconn prints is cleaned of, and the one wording of where the token comes from (status, profile, -v).
// The sources themselves (single-flight refresh) are in token.ts; running a command is in token-command.ts, loaded
// only when a command is the source.
import type { Auth, Resolved } from "../config/resolve.js";
import { AuthError, authKindOf, UsageError } from "../errors.js";
import { plainHttpWarning } from "../util/plain-http.js";
import { FixedTokenSource, RefreshingTokenSource, type TokenSource } from "./token.js";
import type { Secrets } from "../util/secrets.js";

export { Secrets } from "../util/secrets.js";

/** Where this run's token comes from, worded for each place that says it. Never the token. */
export interface AuthDescription {
  kind: Auth["kind"];
  /** The setting (`profile show`'s token_source): --token, AIRCONN_TOKEN, profile prod, --token-command, AIRCONN_USERNAME/AIRCONN_PASSWORD. */
  setting: string | null;
  /** `status`'s token_source ("token from …"): AIRCONN_TOKEN, profile prod, the token command (profile prod), AIRCONN_USERNAME/AIRCONN_PASSWORD. */
  origin: string | null;
  /**
   * The source in messages and -v lines: the token from AIRCONN_TOKEN, the token command of profile "prod", the token
   * command (from --token-command).
   */
  label: string | null;
  /** A token command in its own errors, which name the profile too: the token command (from AIRCONN_TOKEN_COMMAND) for profile "prod". */
  commandName: string | null;
  /** The token as the profile commands show it: none, set (not a JWT), valid, expired, command, or a login per run. */
  state: string;
  /** The expiry a fixed token (a JWT) carries. */
  expires: Date | undefined;
  /** `profile show`'s line: the state, where it comes from, the expiry. */
  summary: string;
}

const LOGIN = "AIRCONN_USERNAME/AIRCONN_PASSWORD";
const PER_RUN = `from ${LOGIN} for each run`;

export function describeAuth(auth: Auth, profile: string, now = new Date()): AuthDescription {
  const none = { setting: null, origin: null, label: null, commandName: null, expires: undefined };
  switch (auth.kind) {
    case "token": {
      const { detail } = auth.token;
      const expires = jwtExpiry(auth.token.value);
      const state = !expires ? "set" : expires < now ? "expired" : "valid";
      return {
        ...none,
        kind: "token",
        setting: detail,
        origin: detail,
        label: `the token from ${detail}`,
        state,
        expires,
        summary: `${state} (from ${detail})${expires ? `, expires ${expires.toISOString()}` : ""}`,
      };
    }
    case "command": {
      const { detail } = auth.command;
      const own = auth.command.source === "profile"; // the profile's own token_command
      return {
        ...none,
        kind: "command",
        setting: detail,
        origin: `the token command (${detail})`,
        state: "command",
        label: own ? `the token command of profile "${profile}"` : `the token command (from ${detail})`,
        commandName: own
          ? `the token command of profile "${profile}"`
          : `the token command (from ${detail}) for profile "${profile}"`,
        summary: `from a token command (from ${detail}), run for each command and again once on a 401; its output is never shown`,
      };
    }
    case "password":
      return {
        ...none,
        kind: "password",
        setting: LOGIN,
        origin: LOGIN,
        label: LOGIN,
        state: PER_RUN,
        summary: PER_RUN,
      };
    default:
      return { ...none, kind: "none", state: "none", summary: "none" };
  }
}

/** Expiry of a JWT, read from its payload without verifying it. */
export function jwtExpiry(token: string): Date | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? new Date(payload.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** What obtaining a token needs from the run. */
export interface AuthContext {
  env: NodeJS.ProcessEnv;
  io: { stdinIsTTY: boolean; stderrIsTTY: boolean; err(s: string): void };
  signal: AbortSignal;
  secrets: Secrets;
  warn(message: string): void;
  /** -v lines (a refresh starting); absent without --verbose. */
  verbose?: (line: string) => void;
  /** POST /auth/token at the settings' URL, without a token (the login of AIRCONN_USERNAME/AIRCONN_PASSWORD). */
  login(username: string, password: string): Promise<string>;
}

/**
 * The token source of these settings, its first token obtained now: a failing token command or login fails before
 * any other work. No source is "not logged in" (exit 4).
 */
export async function authenticate(
  s: Pick<Resolved, "profile" | "apiUrl" | "auth">,
  c: AuthContext,
): Promise<TokenSource> {
  const source = await tokenSource(s, c);
  if (!source) {
    throw new AuthError(
      `not logged in: no token for profile "${s.profile.value}" (${s.apiUrl.value})`,
      "run `airconn login`, set AIRCONN_TOKEN (or AIRCONN_USERNAME and AIRCONN_PASSWORD), or give the profile a --token-command",
    );
  }
  await source.get();
  return source;
}

/** Every token a source obtains is a secret of this run: redacted from any message and verbose line. */
const remembered = (secrets: Secrets, get: () => Promise<string>) => async () => secrets.add(await get());

async function tokenSource(
  s: Pick<Resolved, "profile" | "apiUrl" | "auth">,
  c: AuthContext,
): Promise<TokenSource | undefined> {
  const auth = s.auth;
  const named = describeAuth(auth, s.profile.value);
  switch (auth.kind) {
    case "token":
      return new FixedTokenSource(c.secrets.add(auth.token.value), named.label!);
    case "command": {
      const { runTokenCommand, DEFAULT_TOKEN_COMMAND_TIMEOUT_S } = await import("./token-command.js");
      const raw = c.env.AIRCONN_TOKEN_COMMAND_TIMEOUT;
      const secs = raw === undefined || raw === "" ? DEFAULT_TOKEN_COMMAND_TIMEOUT_S : Number(raw);
      if (!(secs > 0 && secs <= 3600))
        throw new UsageError(`AIRCONN_TOKEN_COMMAND_TIMEOUT takes seconds between 0 and 3600, got "${raw}"`);
      const run = () =>
        runTokenCommand({
          command: auth.command.value,
          who: named.commandName!,
          env: c.env,
          timeoutMs: secs * 1000,
          stdinIsTTY: c.io.stdinIsTTY,
          stderr: c.io.stderrIsTTY ? "inherit" : (chunk) => c.io.err(c.secrets.redact(chunk)),
          signal: c.signal,
        });
      // Any 401 is worth a new token from a command: other auth managers word an expired token differently.
      return new RefreshingTokenSource(remembered(c.secrets, run), named.label!, () => true, c.verbose);
    }
    case "password": {
      c.secrets.add(auth.password);
      const plain = plainHttpWarning(s.apiUrl.value, "the password");
      if (plain) c.warn(plain);
      const get = () => c.login(auth.username, auth.password);
      // A new token only for an expired one (the auth kind of errors.ts): another 401 (no token sent) is not cured by
      // logging in again.
      return new RefreshingTokenSource(
        remembered(c.secrets, get),
        named.label!,
        (detail) => authKindOf(401, detail) === "expired",
        c.verbose,
      );
    }
    default:
      return undefined;
  }
}
