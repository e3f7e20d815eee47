// `airconn status`, like `gh auth status`: which Airflow, which profile and URL (and where they come from), whether
// the token works and until when, and whether connection tests are enabled there. Never prints the token.
import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { AirconnError, ApiError, AuthError, EXIT, NetworkError } from "../errors.js";
import { NotAirflowApiError, ProxyError, TlsError } from "../api/http.js";
import { proxyEnv, proxyFor } from "../api/transport.js";
import { describeAuth, jwtExpiry } from "../api/auth.js";
import { capabilitiesOf } from "../api/versions.js";
import { render } from "../output/render.js";
import { examples } from "./common.js";
import { isTestsDisabled } from "../api/connection-test.js";
import { MwaaAuthError } from "../api/mwaa-errors.js";
import { mwaaEndpoint } from "../config/mwaa.js";

export function register(program: Command, ctx: CommandContext, run = runStatus): void {
  program
    .command("status")
    .description(
      "show the profile, the API URL, the Airflow version, whether the token works and until when, and whether connection tests are enabled",
    )
    .addHelpText(
      "after",
      examples([
        "$ airconn status",
        "$ airconn -p staging status",
        "$ airconn status -o json | jq -r .server_version      # in scripts",
        "",
        "Exit codes: 0 the server answers and the token works, 1 the server cannot be reached or is not the Airflow API",
        "(a wrong base URL, TLS, the proxy: `problem` says which), 4 no token or the token is refused.",
      ]),
    )
    .action(async (_o: unknown, cmd: Command) => run(ctx.deps(cmd)));
}

export interface StatusInfo {
  profile: string;
  profile_source: string;
  api_url: string;
  api_url_source: string;
  reachable: boolean;
  server_version: string | null;
  /** ok, no token, expired, refused (401/403 on the token), forbidden (a valid token not allowed to read connections), unknown. */
  auth: "ok" | "no token" | "expired" | "refused" | "forbidden" | "unknown";
  auth_detail: string | null;
  token_source: string | null;
  token_expires: string | null;
  /** enabled, disabled, or unknown (no token, not allowed, unreachable). */
  connection_tests: "enabled" | "disabled" | "unknown";
  /** Airflow 3.3: tests on a worker (--on-worker, create --test-first). */
  worker_tests: boolean | null;
  /** The proxy requests go through (HTTPS_PROXY/HTTP_PROXY, not NO_PROXY), without credentials, and its variable. */
  proxy: string | null;
  /** How the server's certificate is checked (https only): the CA file and where it comes from, or insecure. */
  ca_cert: string | null;
  insecure: boolean;
  /**
   * What is wrong, when something is: url (something answers, but not the Airflow API: a route that does not exist,
   * an HTML page, a redirect, an answer of another shape), tls, proxy, network, token.
   */
  problem: "url" | "tls" | "proxy" | "network" | "token" | null;
  error: string | null;
  /** Amazon MWAA (issue 22): requests go through this environment's InvokeRestApi, signed with AWS credentials. */
  mwaa_environment?: string;
  aws_region?: string | null;
  /** Where InvokeRestApi requests go, and why (AWS_ENDPOINT_URL_MWAA, or the region's endpoint). */
  mwaa_endpoint?: string | null;
}

/**
 * The probe for "are connection tests enabled?": POST /connections/test with a valid body (the 422 body check runs
 * before the 403 gate, so an invalid body would not tell) whose id no connection has and whose conn_type no
 * provider knows. Disabled: 403 with the server's "Testing connections is disabled" text. Enabled: the server finds
 * no stored connection of that id to merge, fails to load a hook for the type and answers 200
 * {"status": false, "message": "Unknown hook type ..."}. Nothing is created and nothing is contacted: no hook runs.
 */
export const PROBE_CONN_TYPE = "airconn_status_probe";
const probeBody = () => ({
  connection_id: `airconn_status_probe_${globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`,
  conn_type: PROBE_CONN_TYPE,
});

export async function runStatus(d: Deps): Promise<void> {
  const s = d.settings();
  const m = s.mwaa;
  const endpoint = m?.region ? mwaaEndpoint(d.env, m.region.value) : undefined;
  // With MWAA no token is used: the AWS credentials are checked by the requests themselves.
  const a = describeAuth(m ? { kind: "none" } : s.auth, s.profile.value);
  let exp = a.expires;
  const info: StatusInfo = {
    profile: s.profile.value,
    profile_source: s.profile.detail,
    api_url: s.apiUrl.value,
    api_url_source: s.apiUrl.detail,
    reachable: false,
    server_version: null,
    auth: "unknown",
    auth_detail: null,
    token_source: a.origin,
    token_expires: exp ? exp.toISOString() : null,
    connection_tests: "unknown",
    worker_tests: null,
    proxy: null,
    ca_cert: s.tls.caCert ? `${s.tls.caCert.value} (from ${s.tls.caCert.detail})` : null,
    insecure: !!s.tls.insecure,
    problem: null,
    error: null,
    ...(m
      ? {
          mwaa_environment: m.environment.value,
          aws_region: m.region?.value ?? null,
          mwaa_endpoint: endpoint ? `${endpoint.url} (from ${endpoint.from})` : null,
        }
      : {}),
  };
  const proxy = proxyFor(new URL(endpoint?.url ?? s.apiUrl.value), proxyEnv(d.env));
  if (proxy) info.proxy = `${proxy.url} (from ${proxy.from})`;
  let hint: string | undefined;
  /** Records a failure to reach the API or a wrong answer: what kind of problem, its message and hint. */
  const failed = (e: AirconnError) => {
    info.error = e.message;
    hint = e.hint;
    if (e instanceof NotAirflowApiError) {
      info.reachable = true;
      info.problem = "url";
      return;
    }
    info.reachable = false;
    info.problem = e instanceof TlsError ? "tls" : e instanceof ProxyError ? "proxy" : "network";
  };

  // The version: fresh from the server (status is how one checks), which also refreshes the cache.
  try {
    const v = await (await d.apiFor(s.apiUrl.value)).checkServerVersion();
    info.reachable = true;
    info.server_version = v.version;
    info.worker_tests = capabilitiesOf(v).workerTests;
  } catch (e) {
    if (d.signal.aborted) throw e;
    if (e instanceof NetworkError || e instanceof NotAirflowApiError) failed(e);
    else if (e instanceof MwaaAuthError) {
      info.reachable = true; // MWAA answered: whether the credentials work is found out below, and said there
      info.error = "MWAA did not take the AWS credentials: see auth";
    } else if (e instanceof ApiError) {
      info.reachable = true; // it answered, but not with a version (an older Airflow, a proxy)
      info.error = `no version from GET /api/v2/version: ${e.message}`;
    } else if (e instanceof AirconnError)
      throw e; // a CA file that cannot be read: exit 2, as for any command
    else failed(new AirconnError((e as Error)?.message ?? String(e)));
  }

  if (info.reachable && info.problem === null) {
    if (a.kind === "none" && !m) {
      info.auth = "no token";
    } else {
      try {
        const api = await d.api(); // runs a token command or POST /auth/token when that is the source
        // A cheap authenticated request: one connection at most.
        const [list, probe] = await Promise.allSettled([api.page({ limit: 1, offset: 0 }), api.test(probeBody())]);
        if (list.status === "fulfilled") info.auth = "ok";
        else classifyAuth(info, list.reason, failed, (h) => (hint = h));
        if (probe.status === "fulfilled") info.connection_tests = "enabled";
        else if (isTestsDisabled(probe.reason)) info.connection_tests = "disabled";
        // The expiry of the token in use (a command's or a login's token is known only now); never the token itself.
        const used = await api.http.auth?.get().catch(() => undefined);
        exp = used ? jwtExpiry(used) : exp;
        info.token_expires = exp ? exp.toISOString() : null;
      } catch (e) {
        if (d.signal.aborted) throw e;
        classifyAuth(info, e, failed, (h) => (hint = h));
      }
      if (info.auth === "ok" && exp && exp.getTime() < d.now()) info.auth = "expired"; // a server with leeway may still take it
    }
  }

  if (info.auth === "no token" || info.auth === "expired" || info.auth === "refused" || info.auth === "forbidden")
    info.problem ??= "token";

  await print(d, info);
  if (info.problem === "url") throw new AirconnError(info.error!, EXIT.FAILURE, hint); // it names the URL and what answered
  if (!info.reachable)
    throw new AirconnError(`cannot reach ${info.api_url}${info.error ? `: ${info.error}` : ""}`, EXIT.FAILURE, hint);
  if (m && info.auth !== "ok")
    throw new AuthError(info.auth_detail ?? "the AWS credentials do not work", hint ?? "see docs/mwaa.md");
  if (info.auth === "no token")
    throw new AuthError(
      `not logged in: no token for profile "${info.profile}"`,
      "run `airconn login`, or set AIRCONN_TOKEN",
    );
  if (info.auth !== "ok")
    throw new AuthError(
      `the token does not work${info.auth_detail ? `: ${info.auth_detail}` : ""}`,
      "run `airconn login` again",
    );
}

function classifyAuth(
  info: StatusInfo,
  e: unknown,
  failed: (e: AirconnError) => void,
  said: (hint: string | undefined) => void,
): void {
  if (e instanceof MwaaAuthError) {
    // MWAA refused the AWS credentials (or found none): what AWS said, and what the caller needs.
    info.auth = e.type === "CredentialsProviderError" ? "no token" : "refused";
    info.auth_detail = e.message;
    said(e.hint);
  } else if (e instanceof ApiError && e.auth !== "none") {
    info.auth = e.auth; // expired, refused or forbidden: the error's own auth kind (errors.ts)
    info.auth_detail = e.detail;
  } else if (e instanceof AuthError) {
    info.auth = "no token";
    info.auth_detail = e.message;
  } else if (e instanceof NetworkError || e instanceof NotAirflowApiError) {
    failed(e);
  } else if (e instanceof AirconnError) {
    info.auth = "unknown";
    info.auth_detail = e.message;
  } else {
    throw e;
  }
}

async function print(d: Deps, i: StatusInfo): Promise<void> {
  const expires = i.token_expires
    ? `expires ${i.token_expires}${relative(i.token_expires, d.now())}`
    : "no expiry in the token";
  const entries: Array<[string, string]> = [
    ["profile", `${i.profile} (from ${i.profile_source})`],
    ["api_url", `${i.api_url} (from ${i.api_url_source})`],
    ...(i.mwaa_environment
      ? [
          [
            "mwaa",
            `environment ${i.mwaa_environment} in ${i.aws_region ?? "no region"}${i.mwaa_endpoint ? `, InvokeRestApi at ${i.mwaa_endpoint}` : ""}`,
          ] as [string, string],
        ]
      : []),
    [
      "server",
      i.problem === "url"
        ? `not the Airflow API: ${i.error}`
        : !i.reachable
          ? `unreachable${i.problem && i.problem !== "network" ? ` (${i.problem})` : ""}${i.error ? `: ${i.error}` : ""}`
          : i.server_version
            ? `Airflow ${i.server_version}`
            : `reachable, version unknown${i.error ? ` (${i.error})` : ""}`,
    ],
    ...(i.proxy ? [["proxy", i.proxy] as [string, string]] : []),
    ...(i.api_url.startsWith("https:")
      ? [
          [
            "tls",
            i.insecure ? "certificate not verified (insecure)" : i.ca_cert ? `CA ${i.ca_cert}` : "system CAs",
          ] as [string, string],
        ]
      : []),
    [
      "auth",
      i.auth === "ok"
        ? i.mwaa_environment
          ? "ok (AWS credentials, signed for MWAA InvokeRestApi; no token)"
          : `ok (token from ${i.token_source}; ${expires})`
        : i.auth === "no token"
          ? i.mwaa_environment
            ? (i.auth_detail ?? "no AWS credentials")
            : "not logged in (run `airconn login`)"
          : `${i.auth}${i.auth_detail ? `: ${i.auth_detail}` : ""}${i.token_source ? ` (token from ${i.token_source}; ${expires})` : ""}`,
    ],
    [
      "connection_tests",
      i.connection_tests +
        (i.connection_tests === "disabled" ? " (AIRFLOW__CORE__TEST_CONNECTION=Enabled turns them on)" : ""),
    ],
    [
      "worker_tests",
      i.worker_tests === null
        ? "unknown"
        : i.worker_tests
          ? "available (Airflow 3.3)"
          : "not available (needs Airflow 3.3)",
    ],
  ];
  await render(d.io, d.output(), { kind: "record", entries, document: i, boldKeys: true });
}

function relative(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(s);
  const span =
    abs < 90
      ? `${abs} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 172800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} days`;
  return s >= 0 ? ` (in ${span})` : ` (${span} ago)`;
}
