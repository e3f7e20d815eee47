// The one place that decides each connection setting and remembers where it came from.
// Precedence: flag > environment > profile > default.
import { checkProfileName, type ConfigStore, type Profile } from "./store.js";
import { UsageError } from "../errors.js";
import { awsConfigRegion, checkAwsRegion, checkMwaaEnvironment, mwaaBaseUrl } from "./mwaa.js";

export type Source = "flag" | "env" | "profile" | "default" | "login";
export interface Sourced<T> {
  value: T;
  source: Source;
  detail: string;
}

export interface GlobalFlags {
  profile?: string;
  apiUrl?: string;
  token?: string;
  tokenCommand?: string;
  caCert?: string;
  insecure?: boolean;
  /** Amazon MWAA: send every request through this environment's InvokeRestApi, signed with AWS credentials. */
  mwaaEnvironment?: string;
  awsRegion?: string;
}

/** The global flags: the connection settings above and these. */
export interface GlobalOptions extends GlobalFlags {
  output?: string;
  color?: boolean; // false with --no-color
  input?: boolean; // false with --no-input
  verbose?: boolean;
  timeout?: number; // seconds
  retries?: number;
  concurrency?: number;
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
  /** What this run uses to authenticate (see Auth for the order); src/api/auth.ts turns it into a token source. */
  auth: Auth;
  /** How the server's certificate is checked: --ca-cert/--insecure, AIRCONN_CA_CERT/AIRCONN_INSECURE, profile ca_cert/insecure. */
  tls: TlsSettings;
  /**
   * Amazon MWAA (issue 22): every request goes through this environment's InvokeRestApi, signed with AWS credentials
   * (no token is used). Then apiUrl is mwaa://ENV, which names the environment in messages and caches.
   */
  mwaa?: MwaaSettings;
}

export interface MwaaSettings {
  environment: Sourced<string>;
  /** Absent when nothing names one: a request then fails with a usage error saying where to give it. */
  region?: Sourced<string>;
}

export interface TlsSettings {
  /** PEM file with the CA that signed the server's certificate. */
  caCert?: Sourced<string>;
  /** Do not verify the server's certificate; absent when off, or when a CA was given at a higher level. */
  insecure?: Sourced<true>;
}

export const DEFAULT_API_URL = "http://localhost:8080";

function pick<T>(candidates: Array<[T | undefined, Source, string]>): Sourced<T> | undefined {
  for (const [value, source, detail] of candidates) {
    if (value !== undefined && value !== "") return { value, source, detail };
  }
  return undefined;
}

export function resolveSettings(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  store: ConfigStore,
  o: { allowNewProfile?: boolean } = {},
): Resolved {
  const profile = pick<string>([
    [flags.profile, "flag", "--profile"],
    [env.AIRCONN_PROFILE, "env", "AIRCONN_PROFILE"],
    [store.read().current_profile, "profile", "current profile"],
  ]) ?? { value: "default", source: "default", detail: "default" };
  const stored = store.profile(profile.value);
  if ((profile.source === "flag" || profile.source === "env") && !stored && !o.allowNewProfile) {
    throw new UsageError(
      `no profile named "${profile.value}" (from ${profile.detail})`,
      "list profiles with `airconn profile list`",
    );
  }
  const givenUrl = pick<string>([
    [flags.apiUrl, "flag", "--api-url"],
    [env.AIRCONN_API_URL, "env", "AIRCONN_API_URL"],
    [stored?.api_url, "profile", `profile ${profile.value}`],
  ]);
  const apiUrl = givenUrl ?? { value: DEFAULT_API_URL, source: "default", detail: "default" };
  if (flags.token && flags.tokenCommand) throw new UsageError("--token and --token-command cannot be used together");
  const password: Auth | undefined =
    env.AIRCONN_USERNAME && env.AIRCONN_PASSWORD
      ? { kind: "password", username: env.AIRCONN_USERNAME, password: env.AIRCONN_PASSWORD }
      : undefined;
  const auth =
    authAt("flag", flags.tokenCommand, flags.token, "--token-command", "--token") ??
    authAt("env", env.AIRCONN_TOKEN_COMMAND, env.AIRCONN_TOKEN, "AIRCONN_TOKEN_COMMAND", "AIRCONN_TOKEN") ??
    password ??
    storedAuth(stored, profile.value);
  const tls = resolveTls(flags, env, stored, profile.value);
  const mwaa = resolveMwaa(flags, env, stored, profile.value, givenUrl);
  if (mwaa)
    return { profile, apiUrl: { ...mwaa.environment, value: mwaaBaseUrl(mwaa.environment.value) }, auth, tls, mwaa };
  return { profile, apiUrl: { ...apiUrl, value: normaliseApiUrl(apiUrl.value, apiUrl.detail) }, auth, tls };
}

/**
 * The MWAA environment, when it decides how this run reaches Airflow: the MWAA environment and the API URL are two
 * ways to the server, and the one given at the higher level wins (flag > environment > profile; at the same level
 * MWAA). The region: --aws-region, AIRCONN_AWS_REGION, the profile's, then AWS's own AWS_REGION, AWS_DEFAULT_REGION
 * and the AWS config file: airconn's settings first, since AWS_REGION is often set for a whole CI job (the region it
 * runs in), which need not be the environment's.
 */
function resolveMwaa(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  stored: Profile | undefined,
  profileName: string,
  givenUrl: Sourced<string> | undefined,
): MwaaSettings | undefined {
  const environment = pick<string>([
    [flags.mwaaEnvironment, "flag", "--mwaa-environment"],
    [env.AIRCONN_MWAA_ENVIRONMENT, "env", "AIRCONN_MWAA_ENVIRONMENT"],
    [stored?.mwaa_environment, "profile", `profile ${profileName}`],
  ]);
  if (!environment || (givenUrl && RANK[givenUrl.source] < RANK[environment.source])) return undefined;
  checkMwaaEnvironment(environment.value, environment.detail);
  const region =
    pick<string>([
      [flags.awsRegion, "flag", "--aws-region"],
      [env.AIRCONN_AWS_REGION, "env", "AIRCONN_AWS_REGION"],
      [stored?.aws_region, "profile", `profile ${profileName}`],
      [env.AWS_REGION, "env", "AWS_REGION"],
      [env.AWS_DEFAULT_REGION, "env", "AWS_DEFAULT_REGION"],
    ]) ?? withSource(awsConfigRegion(env), "default");
  if (region) checkAwsRegion(region.value, region.detail);
  return { environment, ...(region ? { region } : {}) };
}

const withSource = (v: { value: string; detail: string } | undefined, source: Source): Sourced<string> | undefined =>
  v && { ...v, source };

/** What a level (flags, environment, a profile) says about auth: its token command, else its token, else nothing. */
function authAt(
  source: Source,
  command: string | undefined,
  token: string | undefined,
  commandDetail: string,
  tokenDetail: string,
): Auth | undefined {
  if (command?.trim()) return { kind: "command", command: { value: command.trim(), source, detail: commandDetail } };
  if (token) return { kind: "token", token: { value: token, source, detail: tokenDetail } };
  return undefined;
}

/** How a stored profile authenticates by itself (`profile list`): its token command, else its token. */
export function storedAuth(p: Profile | undefined, name: string): Auth {
  return authAt("profile", p?.token_command, p?.token, `profile ${name}`, `profile ${name}`) ?? { kind: "none" };
}

/**
 * The settings of another stored profile (diff/apply --from-profile): only what it holds (api_url, token_command,
 * token, TLS) counts; the flags and AIRCONN_* variables of this run belong to the current profile.
 */
export function profileSettings(name: string, store: ConfigStore): Resolved {
  checkProfileName(name);
  if (!store.profile(name))
    throw new UsageError(`no profile named "${name}"`, "list profiles with `airconn profile list`");
  return resolveSettings({ profile: name }, {}, store);
}

const RANK: Record<Source, number> = { flag: 0, env: 1, login: 2, profile: 2, default: 3 };

/**
 * An on/off variable (AIRCONN_INSECURE, AIRCONN_STRICT): 1, true or yes is on; 0, false or no is off (any case);
 * unset or empty is undefined; anything else is refused.
 */
export function envSwitch(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === "1" || raw === "true" || raw === "yes") return true;
  if (raw === "0" || raw === "false" || raw === "no") return false;
  if (raw) throw new UsageError(`${name} takes 1 or 0, got "${env[name]}"`);
  return undefined;
}

/** The TLS settings, flag > environment > profile; a CA given at a higher level than `insecure` wins over it. */
export function resolveTls(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv,
  stored: Profile | undefined,
  profileName: string,
): TlsSettings {
  const caCert = pick<string>([
    [flags.caCert, "flag", "--ca-cert"],
    [env.AIRCONN_CA_CERT, "env", "AIRCONN_CA_CERT"],
    [stored?.ca_cert, "profile", `profile ${profileName}`],
  ]);
  const envInsecure = envSwitch(env, "AIRCONN_INSECURE");
  // The first level that says anything decides: AIRCONN_INSECURE=0 turns off a profile's insecure.
  const said: Array<[boolean | undefined, Source, string]> = [
    [flags.insecure ? true : undefined, "flag", "--insecure"],
    [envInsecure, "env", "AIRCONN_INSECURE"],
    [stored?.insecure, "profile", `profile ${profileName}`],
  ];
  const first = said.find(([v]) => v !== undefined);
  let insecure: Sourced<true> | undefined = first?.[0]
    ? { value: true, source: first[1], detail: first[2] }
    : undefined;
  if (insecure && caCert && RANK[caCert.source] < RANK[insecure.source]) insecure = undefined;
  return { ...(caCert ? { caCert } : {}), ...(insecure ? { insecure } : {}) };
}

/** The Airflow base URL without a trailing slash or `/api/v2` (both are tolerated on input). */
export function normaliseApiUrl(raw: string, from = "--api-url"): string {
  let u: URL;
  // No scheme (`localhost:8080`, `airflow.example.com/airflow`): new URL() fails or reads "localhost:" as the scheme.
  const guess = schemeGuess(raw.trim());
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(
      `invalid API URL "${raw}" (from ${from}): expected something like http://localhost:8080`,
      guess && `did you mean ${guess}?`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    if (guess)
      throw new UsageError(
        `invalid API URL "${raw}" (from ${from}): it needs http:// or https:// in front`,
        `did you mean ${guess}?`,
      );
    throw new UsageError(`invalid API URL "${raw}" (from ${from}): only http and https are supported`);
  }
  if (u.username || u.password)
    throw new UsageError(`the API URL must not contain credentials (from ${from}): use airconn login`);
  u.search = "";
  u.hash = "";
  let path = u.pathname.replace(/\/+$/, "");
  if (path.endsWith("/api/v2")) path = path.slice(0, -"/api/v2".length);
  return `${u.origin}${path}`;
}

/**
 * The URL meant by a host without a scheme: `localhost:8080` → http://localhost:8080, `airflow.example.com` →
 * https://airflow.example.com (http for this machine or a port other than 443). Undefined when it is not a host.
 */
function schemeGuess(raw: string): string | undefined {
  if (raw.includes("://")) return undefined;
  const m =
    /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(\d{1,5}))?(\/\S*)?$/i.exec(
      raw,
    );
  if (!m) return undefined;
  const [, host, port] = m;
  // A bare word with no port and no dot (`not-a-url`) is more likely a typo than a host name.
  if (!port && !host!.includes(".") && !/^(localhost|\[)/i.test(host!)) return undefined;
  const local = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i.test(host!);
  return `${local || (port !== undefined && port !== "443") ? "http" : "https"}://${raw}`;
}
