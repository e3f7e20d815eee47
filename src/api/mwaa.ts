// Amazon MWAA without a token (issue 22): a fetch for Http that sends each Airflow API request through MWAA's
// InvokeRestApi, signed with AWS SigV4 (service `airflow`), and turns the answer back into the Airflow answer, so that
// every command keeps its output and exit codes. Loaded (with the AWS packages, themselves imported on the first
// request) only when a run uses MWAA: see clients.ts.
//
//   request   GET mwaa://ENV/api/v2/connections?limit=100
//   becomes   POST {endpoint}/restapi/ENV  {"Method":"GET","Path":"/connections","QueryParameters":{"limit":"100"}}
//   answer    200 {"RestApiStatusCode":200,"RestApiResponse":{...}}  →  200 {...}
//             400 RestApiClientException {"RestApiStatusCode":404,"RestApiResponse":{...}}  →  404 {...}
//
// MWAA's own errors: AccessDeniedException, a refused signature or key, an expired session, no credentials → exit 4
// (MwaaAuthError); an unknown environment → a wrong-server error (exit 1, stops a multi-id run); throttling → a 429
// (retried as any 429); InternalServer/ServiceUnavailable → 500/503 (retried as those); ValidationException → exit 2.
// Limits (AWS's documentation): a Path of at most 64 characters and a request of at most 6 MB are refused here, before
// anything is sent; a bulk request over the size goes as several smaller ones.
import type { MwaaSettings } from "../config/resolve.js";
import { mwaaEndpoint } from "../config/mwaa.js";
import { AirconnError, NotAirflowApiError, UsageError, oneLine } from "../errors.js";
import { MwaaAuthError } from "./mwaa-errors.js";
import { quoteAnswer } from "./http.js";

/** The largest InvokeRestApi request airconn sends: 6 MB (AWS's limit, counted in decimal megabytes to stay under it). */
export const MWAA_MAX_REQUEST_BYTES = 6_000_000;
/** The longest Path InvokeRestApi takes (its API reference: 1 to 64 characters). */
export const MWAA_MAX_PATH = 64;
/** The only methods InvokeRestApi takes. */
const METHODS = new Set(["GET", "PUT", "POST", "PATCH", "DELETE"]);
/** Request headers Http sets that need not reach Airflow (InvokeRestApi carries none). */
const DROPPED_HEADERS = new Set(["accept", "user-agent", "content-type", "authorization"]);

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What InvokeRestApi is sent for one Airflow request. */
export interface Invocation {
  Method: string;
  Path: string;
  QueryParameters?: Record<string, string | string[]>;
  Body?: unknown;
}

export interface MwaaTransportOptions {
  mwaa: MwaaSettings;
  env: NodeJS.ProcessEnv;
  /** Called with each secret of the credentials (the secret key, a session token): never printed. */
  secret(value: string): void;
  verbose?: (line: string) => void;
  /** Tests: these credentials instead of the AWS credential chain. */
  credentials?: () => Promise<AwsCredentials>;
  /** The fetch that reaches the MWAA API (default: the global one). */
  fetch?: typeof fetch;
}

const AUTH_TYPES = new Set([
  "AccessDeniedException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignatureException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
]);
const THROTTLE_TYPES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);

/** The region the settings name, or a usage error saying where one can be given. */
export function mwaaRegion(m: MwaaSettings): string {
  if (m.region) return m.region.value;
  throw new UsageError(
    `no AWS region for the MWAA environment "${m.environment.value}" (from ${m.environment.detail})`,
    "give --aws-region REGION, AIRCONN_AWS_REGION or AWS_REGION, or keep it in the profile: `airconn profile set NAME --aws-region REGION`",
  );
}

/** The Airflow answer an InvokeRestApi answer stands for, as a fetch Response (no body for 204, 205, 304). */
function airflowAnswer(status: number, body: unknown): Response {
  const empty = status === 204 || status === 205 || status === 304 || body === undefined || body === null;
  return new Response(empty ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * The InvokeRestApi call for a request Http would send to mwaa://ENV: the path without /api/v2 (MWAA puts it back),
 * the query as an object (a repeated key as a list), the JSON body as JSON. A path outside /api/v2 cannot be reached
 * through InvokeRestApi: /auth/token (a login) is a usage error, another (/ui/connections/hook_meta) answers 404 so
 * that its caller falls back as for a server without it.
 */
export function invocationOf(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  environment: string,
): Invocation | Response {
  const m = method.toUpperCase();
  if (!METHODS.has(m)) throw new UsageError(`MWAA InvokeRestApi cannot send a ${m} request`);
  const where = `MWAA environment "${environment}"`;
  if (url.pathname !== "/api/v2" && !url.pathname.startsWith("/api/v2/")) {
    if (url.pathname === "/auth/token")
      throw new UsageError(
        `${where} needs no login: every request is signed with AWS credentials (MWAA InvokeRestApi)`,
        "run the command without logging in; to use a token instead, give the web server with --api-url (docs/mwaa.md)",
      );
    return airflowAnswer(404, {
      detail: `${url.pathname} cannot be reached through MWAA InvokeRestApi, which calls the Airflow REST API (/api/v2) only`,
    });
  }
  for (const name of Object.keys(headers))
    if (!DROPPED_HEADERS.has(name.toLowerCase()))
      throw new UsageError(
        `${m} ${url.pathname} needs the request header ${name}, which MWAA InvokeRestApi cannot send`,
        "Airflow 3.3's tests on a worker poll with such a header: test without --on-worker, or reach the web server with a token (docs/mwaa.md)",
      );
  const path = url.pathname.slice("/api/v2".length) || "/";
  if (path.length > MWAA_MAX_PATH)
    throw new UsageError(
      `${m} ${path} is ${path.length} characters: MWAA InvokeRestApi takes paths of at most ${MWAA_MAX_PATH} (${where})`,
      "a connection id that long cannot be reached through InvokeRestApi; reach the web server with a token instead (docs/mwaa.md)",
    );
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const inv: Invocation = { Method: m, Path: path };
  if (Object.keys(query).length) inv.QueryParameters = query;
  if (body !== undefined) inv.Body = JSON.parse(body);
  return inv;
}

type BulkAction = { action: string; entities: unknown[] } & Record<string, unknown>;
type BulkAnswer = Record<string, { success?: unknown[]; errors?: unknown[] } | undefined>;

const isBulk = (inv: Invocation): inv is Invocation & { Body: { actions: BulkAction[] } } => {
  const b = inv.Body as { actions?: unknown } | undefined;
  return (
    inv.Method === "PATCH" &&
    inv.Path === "/connections" &&
    Array.isArray(b?.actions) &&
    b.actions.every((a) => Array.isArray((a as BulkAction | null)?.entities))
  );
};

const bytes = (inv: Invocation) => Buffer.byteLength(JSON.stringify(inv));

/**
 * A request over the size limit in parts under it, in order, or a usage error. Only a bulk request can be cut: one
 * part per action, then each action's entities halved until every part fits (as a smaller --chunk-size would).
 */
export function fitted(inv: Invocation, environment: string, max = MWAA_MAX_REQUEST_BYTES): Invocation[] {
  const size = bytes(inv);
  if (size <= max) return [inv];
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  if (!isBulk(inv))
    throw new UsageError(
      `${inv.Method} ${inv.Path} is ${mb(size)} as an MWAA InvokeRestApi request: MWAA takes at most ${mb(max)} (MWAA environment "${environment}"); nothing was sent`,
    );
  const parts: Invocation[] = [];
  const cut = (action: BulkAction) => {
    const part: Invocation = { ...inv, Body: { ...inv.Body, actions: [action] } };
    if (bytes(part) <= max) {
      parts.push(part);
      return;
    }
    if (action.entities.length <= 1) {
      const e = action.entities[0] as { connection_id?: unknown } | string | undefined;
      const id = typeof e === "string" ? e : String(e?.connection_id ?? "?");
      throw new UsageError(
        `connection ${id} is ${mb(bytes(part))} as an MWAA InvokeRestApi request: MWAA takes at most ${mb(max)}; nothing was sent`,
      );
    }
    const half = Math.ceil(action.entities.length / 2);
    cut({ ...action, entities: action.entities.slice(0, half) });
    cut({ ...action, entities: action.entities.slice(half) });
  };
  for (const a of inv.Body.actions) cut(a);
  return parts;
}

/** The bulk answers of the parts of one bulk request as one: each action's successes and errors, in order. */
function mergeBulk(answers: BulkAnswer[]): BulkAnswer {
  const out: BulkAnswer = {};
  for (const a of answers) {
    for (const [action, r] of Object.entries(a ?? {})) {
      if (!r || typeof r !== "object") continue;
      const o = (out[action] ??= { success: [], errors: [] });
      o.success!.push(...(Array.isArray(r.success) ? r.success : []));
      o.errors!.push(...(Array.isArray(r.errors) ? r.errors : []));
    }
  }
  return out;
}

/** AWS's name for an error answer: the x-amzn-ErrorType header, else `__type` or `code` of the body. */
function errorType(headers: Headers, body: Record<string, unknown> | undefined): string {
  const raw = headers.get("x-amzn-errortype") ?? (body?.__type as string) ?? (body?.code as string) ?? "";
  return String(raw).split(":")[0]!.split("#").pop()!.trim();
}

/** `p`, or the signal's reason once it aborts (the work behind `p` goes on, unawaited). */
function untilAborted<T>(signal: AbortSignal | null | undefined, p: Promise<T>): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

interface Signer {
  sign(req: unknown, o?: unknown): Promise<{ headers: Record<string, string> }>;
}

/**
 * The fetch Http uses for an MWAA run (HttpOptions.fetch). It throws airconn errors for what MWAA itself refuses;
 * network errors of the real fetch go up as they are (Http words them, naming the endpoint: HttpOptions.via).
 */
export function mwaaFetch(o: MwaaTransportOptions): typeof fetch {
  const environment = o.mwaa.environment.value;
  const region = mwaaRegion(o.mwaa);
  const endpoint = mwaaEndpoint(o.env, region);
  const target = `${endpoint.url}/restapi/${encodeURIComponent(environment)}`;
  const send = o.fetch ?? globalThis.fetch;
  let told = false;
  let signer: Promise<Signer> | undefined;

  const makeSigner = async (): Promise<Signer> => {
    const [{ SignatureV4 }, { Hash }] = await Promise.all([
      import("@smithy/signature-v4"),
      import("@smithy/hash-node"),
    ]);
    let provider = o.credentials;
    if (!provider) {
      const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
      provider = fromNodeProviderChain() as () => Promise<AwsCredentials>;
    }
    const credentials = async (): Promise<AwsCredentials> => {
      let c: AwsCredentials;
      try {
        c = await provider();
      } catch (e) {
        throw new MwaaAuthError(
          `no AWS credentials for MWAA environment "${environment}": ${oneLine((e as Error)?.message ?? e)}`,
          "CredentialsProviderError",
          "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (after `aws sso login` for SSO), or run where an instance or task role is available",
        );
      }
      o.secret(c.secretAccessKey);
      if (c.sessionToken) o.secret(c.sessionToken);
      return c;
    };
    return new SignatureV4({
      service: "airflow",
      region,
      credentials,
      sha256: Hash.bind(null, "sha256"),
    }) as unknown as Signer;
  };

  /** One InvokeRestApi call: signed, sent, and its answer as the Airflow answer (or an airconn error). */
  const invoke = async (inv: Invocation, init: RequestInit): Promise<Response> => {
    const text = JSON.stringify(inv);
    const u = new URL(target);
    // Loading the AWS packages and the credentials (an SSO refresh, an instance role) may take a while: Ctrl-C and
    // --timeout (the request's signal) stop the wait as they stop the request.
    const signed = await untilAborted(
      init.signal,
      (signer ??= makeSigner()).then((s) =>
        s.sign({
          method: "POST",
          protocol: u.protocol,
          hostname: u.hostname,
          ...(u.port ? { port: Number(u.port) } : {}),
          path: u.pathname,
          query: {},
          headers: { host: u.host, "content-type": "application/json", accept: "application/json" },
          body: text,
        }),
      ),
    );
    const { host: _host, ...headers } = signed.headers;
    const res = await send(target, {
      method: "POST",
      headers,
      body: text,
      signal: init.signal,
      redirect: "manual",
      ...("dispatcher" in init ? { dispatcher: (init as { dispatcher?: unknown }).dispatcher } : {}),
    } as RequestInit);
    return answerOf(res, inv);
  };

  const answerOf = async (res: Response, inv: Invocation): Promise<Response> => {
    const text = await res.text();
    let body: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      /* not JSON: below */
    }
    const call = `${inv.Method} ${inv.Path}`;
    const carried = (what: string) => {
      const code = body?.RestApiStatusCode;
      if (typeof code !== "number" || !Number.isInteger(code) || code < 200 || code > 599)
        throw new NotAirflowApiError(
          `the MWAA API answered ${call} with ${what} but no Airflow status (RestApiStatusCode ${quoteAnswer(JSON.stringify(code ?? null))})`,
          "shape",
          inv.Method,
          target,
          res.status,
          `is ${endpoint.url} (from ${endpoint.from}) the MWAA API?`,
        );
      return airflowAnswer(code, body!.RestApiResponse);
    };
    if (res.status === 200) return carried("200");
    const type = errorType(res.headers, body);
    const message = oneLine(body?.message ?? body?.Message ?? "");
    o.verbose?.(`MWAA answered ${res.status}${type ? ` ${type}` : ""} for ${call}`);
    const said = `${type || `HTTP ${res.status}`}${message ? `: ${message}` : ""}`;
    if (type === "RestApiClientException" || type === "RestApiServerException") return carried(type);
    if (THROTTLE_TYPES.has(type) || res.status === 429)
      return airflowAnswer(429, { detail: `MWAA throttled the request (${said})` });
    if (AUTH_TYPES.has(type) || (!type && res.status === 403)) throw authError(type, said);
    if (type === "ResourceNotFoundException")
      throw new NotAirflowApiError(
        `MWAA environment "${environment}" was not found in ${region} (${said})`,
        "route",
        inv.Method,
        target,
        res.status,
        `check the environment (from ${o.mwaa.environment.detail}) and the region (from ${o.mwaa.region?.detail}): \`aws mwaa list-environments --region ${region}\``,
      );
    if (type === "ValidationException")
      throw new UsageError(`MWAA refused ${call} as invalid (${said}; MWAA environment "${environment}")`);
    if (res.status >= 500 || type === "InternalServerException" || type === "ServiceUnavailableException")
      return airflowAnswer(Math.max(res.status, 500), { detail: `MWAA failed (${said})` });
    if (!body)
      throw new NotAirflowApiError(
        `${endpoint.url} answered ${res.status} with ${quoteAnswer(text)} to ${call}, not an MWAA API answer`,
        "shape",
        inv.Method,
        target,
        res.status,
        `is ${endpoint.url} (from ${endpoint.from}) the MWAA API?`,
      );
    throw new AirconnError(`the MWAA API refused ${call} with ${res.status} (${said})`);
  };

  const authError = (type: string, said: string): MwaaAuthError => {
    const hint =
      type === "AccessDeniedException"
        ? `the caller needs airflow:InvokeRestApi on arn:aws:airflow:${region}:ACCOUNT:role/${environment}/ROLE (an Airflow role that may manage connections: Op or Admin); see docs/mwaa.md`
        : type.startsWith("Expired")
          ? "the AWS session has expired: renew it (`aws sso login`, or new temporary credentials)"
          : "check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE): `aws sts get-caller-identity`";
    return new MwaaAuthError(`MWAA refused the request (${said})`, type || "Forbidden", hint);
  };

  return (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (!told) {
      told = true;
      o.verbose?.(
        `MWAA: requests go through InvokeRestApi, POST ${target} (from ${endpoint.from}), signed for airflow in ${region}`,
      );
    }
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = typeof init.body === "string" ? init.body : undefined;
    const inv = invocationOf(init.method ?? "GET", url, headers, body, environment);
    if (inv instanceof Response) return inv;
    const parts = fitted(inv, environment);
    if (parts.length === 1) return invoke(inv, init);
    o.verbose?.(
      `MWAA: the bulk request (${(bytes(inv) / 1e6).toFixed(1)} MB) goes as ${parts.length} InvokeRestApi calls of at most ${MWAA_MAX_REQUEST_BYTES / 1e6} MB`,
    );
    const answers: BulkAnswer[] = [];
    let last: Response | undefined;
    for (const part of parts) {
      last = await invoke(part, init);
      // A part that fails ends the request with its answer: the parts before it were applied (their ids are in no
      // answer then: the caller counts the whole request as failed, as for a chunk whose answer was lost).
      if (last.status < 200 || last.status >= 300) return last;
      answers.push((await last.json()) as BulkAnswer);
    }
    return airflowAnswer(last!.status, mergeBulk(answers));
  }) as typeof fetch;
}

/** The fetch of an MWAA run and where its requests go (for messages), from the run's settings and context. */
export function mwaaTransport(
  mwaa: MwaaSettings,
  c: { env: NodeJS.ProcessEnv; secrets: { add(value: string): unknown }; verbose?: (line: string) => void },
): { fetch: typeof fetch; via: URL } {
  const region = mwaaRegion(mwaa);
  return {
    fetch: mwaaFetch({ mwaa, env: c.env, secret: (v) => c.secrets.add(v), verbose: c.verbose }),
    via: new URL(mwaaEndpoint(c.env, region).url),
  };
}
