// The one place that decides each connection setting and remembers where it came from.
// Precedence: flag > environment > profile > default.
import type { ConfigStore } from "./store.js";
import { UsageError } from "../errors.js";

export type Source = "flag" | "env" | "profile" | "default" | "login";
export interface Sourced<T> { value: T; source: Source; detail: string }

export interface GlobalFlags {
  profile?: string;
  apiUrl?: string;
  token?: string;
  tokenCommand?: string;
}

/**
 * How this run authenticates, chosen by precedence: flag > environment > profile. At one level a token command
 * ranks above a plain token (it can renew itself; a stored token next to it is a leftover), and at the
 * environment level AIRCONN_USERNAME/AIRCONN_PASSWORD come after both:
 * --token-command, --token, AIRCONN_TOKEN_COMMAND, AIRCONN_TOKEN, AIRCONN_USERNAME+AIRCONN_PASSWORD,
 * profile token_command, profile token. `--token` and `--token-command` together are refused.
 */
export type Auth =
  | { kind: "command"; command: Sourced<string> }
  | { kind: "token"; token: Sourced<string> }
  | { kind: "password"; username: string; password: string }
  | { kind: "none" };

export interface Resolved {
  profile: Sourced<string>;
  apiUrl: Sourced<string>;
  token: Sourced<string> | undefined;
  /** A command printing a token (--token-command, AIRCONN_TOKEN_COMMAND, profile token_command). */
  tokenCommand: Sourced<string> | undefined;
  /** What this run uses to authenticate (see Auth for the order). */
  auth: Auth;
  /** AIRCONN_USERNAME + AIRCONN_PASSWORD: get a token for this run, store nothing. */
  envCredentials?: { username: string; password: string };
}

export const DEFAULT_API_URL = "http://localhost:8080";

function pick<T>(candidates: Array<[T | undefined, Source, string]>): Sourced<T> | undefined {
  for (const [value, source, detail] of candidates) {
    if (value !== undefined && value !== "") return { value, source, detail };
  }
  return undefined;
}

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, store: ConfigStore, o: { allowNewProfile?: boolean } = {}): Resolved {
  const profile = pick<string>([
    [flags.profile, "flag", "--profile"],
    [env.AIRCONN_PROFILE, "env", "AIRCONN_PROFILE"],
    [store.read().current_profile, "profile", "current profile"],
  ]) ?? { value: "default", source: "default", detail: "default" };
  const stored = store.profile(profile.value);
  if ((profile.source === "flag" || profile.source === "env") && !stored && !o.allowNewProfile) {
    throw new UsageError(`no profile named "${profile.value}" (from ${profile.detail})`, "list profiles with `airconn profile list`");
  }
  const apiUrl = pick<string>([
    [flags.apiUrl, "flag", "--api-url"],
    [env.AIRCONN_API_URL, "env", "AIRCONN_API_URL"],
    [stored?.api_url, "profile", `profile ${profile.value}`],
  ]) ?? { value: DEFAULT_API_URL, source: "default", detail: "default" };
  const token = pick<string>([
    [flags.token, "flag", "--token"],
    [env.AIRCONN_TOKEN, "env", "AIRCONN_TOKEN"],
    [stored?.token, "profile", `profile ${profile.value}`],
  ]);
  if (flags.token && flags.tokenCommand) throw new UsageError("--token and --token-command cannot be used together");
  const tokenCommand = pick<string>([
    [flags.tokenCommand?.trim(), "flag", "--token-command"],
    [env.AIRCONN_TOKEN_COMMAND?.trim(), "env", "AIRCONN_TOKEN_COMMAND"],
    [stored?.token_command?.trim(), "profile", `profile ${profile.value}`],
  ]);
  const envCredentials = env.AIRCONN_USERNAME && env.AIRCONN_PASSWORD
    ? { username: env.AIRCONN_USERNAME, password: env.AIRCONN_PASSWORD } : undefined;
  const at = (src: Source) => (tokenCommand?.source === src ? { kind: "command" as const, command: tokenCommand }
    : token?.source === src ? { kind: "token" as const, token } : undefined);
  const auth: Auth = at("flag") ?? at("env") ?? (envCredentials ? { kind: "password", ...envCredentials } : undefined) ?? at("profile") ?? { kind: "none" };
  return { profile, apiUrl: { ...apiUrl, value: normaliseApiUrl(apiUrl.value, apiUrl.detail) }, token, tokenCommand, auth, envCredentials };
}

/** The Airflow base URL without a trailing slash or `/api/v2` (both are tolerated on input). */
export function normaliseApiUrl(raw: string, from = "--api-url"): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(`invalid API URL "${raw}" (from ${from}): expected something like http://localhost:8080`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new UsageError(`invalid API URL "${raw}" (from ${from}): only http and https are supported`);
  }
  if (u.username || u.password) throw new UsageError(`the API URL must not contain credentials (from ${from}): use airconn login`);
  u.search = ""; u.hash = "";
  let path = u.pathname.replace(/\/+$/, "");
  if (path.endsWith("/api/v2")) path = path.slice(0, -"/api/v2".length);
  return `${u.origin}${path}`;
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
