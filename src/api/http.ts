// One thin request function over fetch: bearer token, JSON bodies, repeated query keys, per-request timeout,
// retries for idempotent requests, and one ApiError for every error shape Airflow answers with.
import { AirconnError, ApiError, NetworkError, NotAirflowApiError, oneLine } from "../errors.js";
import type { Dispatcher } from "undici";
import { FixedTokenSource, type TokenSource } from "./token.js";
import { formatBytes } from "../util/read-limited.js";

export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

export interface HttpOptions {
  baseUrl: string; // Airflow base URL, no trailing slash
  token?: string;
  /** Where tokens come from and how a new one is got after a 401 (wins over `token`). */
  auth?: TokenSource;
  timeoutMs?: number; // per attempt; default 30 s
  retries?: number; // extra attempts for GET/DELETE on network errors, 429, 502, 503, 504, for any method on 429; default 3
  dispatcher?: Dispatcher; // undici dispatcher (proxy, TLS, MockAgent in tests)
  fetch?: typeof fetch;
  verbose?: (line: string) => void;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal; // cancels everything (Ctrl-C)
  maxRetryDelayMs?: number; // cap for the backoff between attempts, default 30 s (Retry-After: see MAX_RETRY_AFTER_MS)
  maxResponseBytes?: number; // the most bytes of one answer read, default MAX_RESPONSE_BYTES (tests set less)
  /** A line for people (stderr): airconn is about to wait a while before retrying. */
  notice?: (line: string) => void;
  /** The proxy requests to baseUrl go through (HTTPS_PROXY...), for messages: its URL without credentials and its variable. */
  proxy?: { url: string; from: string };
  /**
   * Where requests really go when `fetch` sends them elsewhere than baseUrl (MWAA's endpoint for mwaa://ENV), for
   * network error messages.
   */
  via?: URL;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Send and accept without the /api/v2 prefix (e.g. /auth/token). */
  raw?: boolean;
  token?: string | null;
  /** Extra request headers (e.g. Airflow-Connection-Test-Token). */
  headers?: Record<string, string>;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  headers: Headers;
  method: string;
  url: string;
}

// Defined beside ApiError (errors.ts), so that one failure policy (isFatal) knows both; exported here as before.
export { NotAirflowApiError };

/** A network error on the way to a proxy, or a proxy that would not open the tunnel (`proxy`: its URL, no credentials). */
export class ProxyError extends NetworkError {
  constructor(
    message: string,
    hint: string | undefined,
    causeCode: string | undefined,
    readonly proxy: string,
  ) {
    super(message, hint, causeCode);
  }
}

/** The server's certificate could not be verified, or TLS could not be set up. */
export class TlsError extends NetworkError {}

export const BASE_URL_HINT =
  "is Airflow served under a path such as /airflow? Check --api-url: it is the Airflow base URL, such as https://example.com/airflow (`airconn profile show` shows the one in use and where it comes from)";

/**
 * A 404 that is not about a connection: Airflow's own 404s carry a `detail` text naming what is missing. (A 405 is
 * not one: an older Airflow answers 405 to a newer route, such as POST /connections/enqueue-test on 3.2.)
 */
function isRouteMiss(status: number, body: unknown): boolean {
  if (status !== 404) return false;
  const b = body as { detail?: unknown } | null;
  if (!b || typeof b !== "object" || Array.isArray(b)) return true; // plain text, an empty answer
  // {"detail": "Not Found"}: FastAPI's answer for a path it has no route for; {"error": ...}: Airflow's API catch-all.
  return !(typeof b.detail === "string" && b.detail !== "Not Found");
}

/** A short, printable quote of an answer: JSON as compact JSON, text as a JSON string (control characters escaped). */
export function quoteAnswer(text: string): string {
  const t = text.trim();
  if (!t) return "an empty answer";
  let shown: string;
  try {
    shown = JSON.stringify(JSON.parse(t));
  } catch {
    shown = JSON.stringify(oneLine(t));
  }
  return shown.length > 120 ? `${shown.slice(0, 119)}…` : shown;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/**
 * Waiting is visible and bounded (issue 19): a Retry-After longer than this is never waited for, whatever --timeout
 * says (the server is down for long or rate-limits hard: better say so and stop than hang a CI job), nor one past the
 * request's --timeout budget (the time since the request began, waits included).
 */
export const MAX_RETRY_AFTER_MS = 60_000;
/** A wait before a retry at least this long is announced on stderr (HttpOptions.notice). */
export const NOTICE_WAIT_MS = 3_000;
const RETRY_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
const RETRY_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function buildUrl(base: string, path: string, query?: Query): URL {
  const url = new URL(base + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  return url;
}

/** Percent-encodes a connection id for a path segment. */
/** A URL's origin for messages: scheme and host also for a URL of its own scheme (mwaa://ENV), whose origin is "null". */
export const originOf = (u: URL): string => (u.origin === "null" ? `${u.protocol}//${u.host}` : u.origin);

export const encodeId = (id: string): string =>
  encodeURIComponent(id).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export class Http {
  private readonly fetchFn: typeof fetch;
  readonly auth?: TokenSource;
  /** When the last announced wait ends (parallel requests told to wait alike are announced once). */
  private announcedUntil = 0;
  constructor(readonly opts: HttpOptions) {
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.auth = opts.auth ?? (opts.token ? new FixedTokenSource(opts.token) : undefined);
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = buildUrl(this.opts.baseUrl, (o.raw ? "" : "/api/v2") + path, o.query);
    // Network errors and 502/503/504 are retried for idempotent methods only (a write may have been applied); a 429
    // for any method: it says the server applied nothing.
    const maxRetries = this.opts.retries ?? 3;
    const retries = RETRY_METHODS.has(method) ? maxRetries : 0;
    // An explicit token (or null) is used as it is; otherwise the token source gives one and may renew it once on 401.
    const auth = o.token === undefined ? this.auth : undefined;
    let token = o.token === null ? undefined : (o.token ?? (auth ? await auth.get() : undefined));
    let authRetried = false;
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.opts.userAgent ?? "airconn",
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (o.headers) Object.assign(headers, o.headers);
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const maxDelay = this.opts.maxRetryDelayMs ?? 30_000;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    // The --timeout budget of this request, waits included: the clock, or the waits alone when `sleep` is simulated.
    const begun = performance.now();
    let waited = 0;
    const spent = () => Math.max(performance.now() - begun, waited);
    const wait = async (ms: number, why: string) => {
      this.announce(ms, `${method} ${url.pathname}`, why);
      waited += ms;
      await sleep(ms);
    };

    for (let attempt = 0; ; ) {
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = this.opts.signal ? AbortSignal.any([timeout, this.opts.signal]) : timeout;
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method,
          headers,
          body,
          signal,
          redirect: "manual",
          ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
        } as RequestInit);
      } catch (err) {
        // A fetch of its own (MWAA's) throws airconn's errors for what it refuses: they are the answer, as they are.
        if (err instanceof AirconnError) {
          this.log(method, url, err.name, started);
          throw err;
        }
        const nerr = networkError(err, this.opts.via ?? url, timeout.aborted, timeoutMs, this.opts.proxy);
        this.log(method, url, `error ${nerr.causeCode ?? ""}`.trim(), started);
        if (this.opts.signal?.aborted) throw err;
        if (attempt < retries && nerr.causeCode && RETRY_CODES.has(nerr.causeCode)) {
          await wait(backoff(attempt++, maxDelay), nerr.causeCode);
          continue;
        }
        throw nerr;
      }
      let text: string;
      try {
        text = await bodyText(res, this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES, method, url);
      } catch (err) {
        if (err instanceof AirconnError) {
          this.log(method, url, `${res.status} body too large`, started);
          throw err;
        }
        const nerr = networkError(err, this.opts.via ?? url, timeout.aborted, timeoutMs, this.opts.proxy);
        this.log(method, url, `${res.status} body ${nerr.causeCode ?? "error"}`, started);
        if (attempt < retries && !timeout.aborted) {
          await wait(backoff(attempt++, maxDelay), nerr.causeCode ?? "the answer was cut off");
          continue;
        }
        throw nerr;
      }
      this.log(method, url, String(res.status), started);
      if (res.status === 429 ? attempt < maxRetries : attempt < retries && RETRY_STATUSES.has(res.status)) {
        const asked = retryAfter(res.headers.get("retry-after"), Infinity);
        if (asked !== undefined && (asked > MAX_RETRY_AFTER_MS || spent() + asked > timeoutMs)) {
          throw retryTooLate(apiError(res.status, text, res.headers, method, url, this.opts.baseUrl), asked, timeoutMs);
        }
        await wait(asked ?? backoff(attempt, maxDelay), `the server said ${res.status}`);
        attempt++;
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        if (auth && token) auth.accepted(token);
        return {
          status: res.status,
          body: parseSuccess(text, res, method, url) as T,
          headers: res.headers,
          method,
          url: url.toString(),
        };
      }
      const err = apiError(res.status, text, res.headers, method, url, this.opts.baseUrl);
      if (!(err instanceof ApiError)) throw err;
      // A DELETE retried after a lost answer finds the connection already gone: that is the success we wanted.
      if (method === "DELETE" && res.status === 404 && attempt > 0)
        return { status: 204, body: undefined as T, headers: res.headers, method, url: url.toString() };
      // 401: the request was not applied, so any method may be sent once more with a new token.
      if (res.status === 401 && auth && token && !authRetried && auth.canRefresh(err.detail)) {
        authRetried = true;
        const fresh = await auth.refresh(token);
        if (fresh !== undefined) {
          token = fresh;
          headers.authorization = `Bearer ${token}`;
          continue;
        }
      }
      if (res.status === 401 && authRetried) {
        throw new ApiError(
          err.status,
          err.detail,
          method,
          url.toString(),
          `${auth!.label} gave a new token and the server refused it too`,
          err.body,
        );
      }
      throw err;
    }
  }

  /** "waiting 5 s before retrying GET /api/v2/connections (the server said 503)", for a wait of a few seconds or more. */
  private announce(ms: number, what: string, why: string): void {
    if (!this.opts.notice || ms < NOTICE_WAIT_MS) return;
    const until = performance.now() + ms;
    if (until <= this.announcedUntil + 1000) return; // a wait already announced covers this one
    this.announcedUntil = until;
    this.opts.notice(`waiting ${Math.round(ms / 1000)} s before retrying ${what} (${why})`);
  }

  private log(method: string, url: URL, status: string, started: number): void {
    if (!this.opts.verbose) return;
    this.opts.verbose(`${method} ${url.toString()} ${status} ${Math.round(performance.now() - started)} ms`);
  }
}

/**
 * The error for a Retry-After airconn will not wait for: the answer's status (a report keeps it), and what the server
 * asked for, instead of a silent wait.
 */
function retryTooLate(answer: ApiError | NotAirflowApiError, askedMs: number, timeoutMs: number): ApiError {
  const secs = Math.ceil(askedMs / 1000);
  const u = new URL(answer.url);
  const asked = `the server asked to retry after ${secs} s (${answer.status} on ${answer.method} ${u.pathname})`;
  if (askedMs > MAX_RETRY_AFTER_MS) {
    return new ApiError(
      answer.status,
      `${asked}; giving up (airconn waits at most ${MAX_RETRY_AFTER_MS / 1000} s)`,
      answer.method,
      answer.url,
      "try again later",
      answer instanceof ApiError ? answer.body : undefined,
    );
  }
  return new ApiError(
    answer.status,
    `${asked}; giving up: that is past the --timeout of ${fmtSeconds(timeoutMs)} (raise --timeout to wait that long)`,
    answer.method,
    answer.url,
    `e.g. --timeout ${Math.min(3600, Math.ceil(timeoutMs / 1000) + secs)}, or try again later`,
    answer instanceof ApiError ? answer.body : undefined,
  );
}

function backoff(attempt: number, cap: number): number {
  const base = Math.min(cap, 500 * 2 ** attempt);
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

export function retryAfter(header: string | null, cap: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return Math.min(cap, secs * 1000);
  const date = Date.parse(header);
  if (!Number.isNaN(date)) return Math.min(cap, Math.max(0, date - Date.now()));
  return undefined;
}

/**
 * The most bytes of one answer airconn reads. The Airflow API's largest answer is a page of connections (100 by
 * default, [api] maximum_page_limit), far below this; a bigger body is something else (a wrong URL serving a file, a
 * hostile server), and reading it whole could exhaust memory (and V8's strings end near 512 MiB).
 */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** The body as text (UTF-8, a BOM dropped, as Response.text()), read chunk by chunk and refused past `max` bytes. */
async function bodyText(res: Response, max: number, method: string, url: URL): Promise<string> {
  const tooLarge = () =>
    new NotAirflowApiError(
      `${method} ${originOf(url) + url.pathname} answered with more than ${formatBytes(max)}: no answer of the Airflow API is that large`,
      "shape",
      method,
      url.toString(),
      res.status,
      "check the API URL: it should be the Airflow base URL, such as http://localhost:8080 (see `airconn profile show`)",
    );
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}

function parseSuccess(text: string, res: Response, method: string, url: URL): unknown {
  if (res.status === 204 || text === "") return undefined;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/html") || /^\s*<(!doctype|html)/i.test(text)) {
    throw new NotAirflowApiError(
      `${originOf(url) + url.pathname} answered with an HTML page, not the Airflow API`,
      "html",
      method,
      url.toString(),
      res.status,
      "check the API URL: it should be the Airflow base URL, such as http://localhost:8080 (see `airconn profile show`)",
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      res.status,
      `the server sent a malformed JSON answer (${text.length} bytes) for ${method} ${url.pathname}`,
      method,
      url.toString(),
      "a proxy may have cut the answer short; try again, or run with --verbose",
    );
  }
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);
const CA_HINT =
  "give the CA that signed the server's certificate with --ca-cert <file> (or AIRCONN_CA_CERT, or keep it in the profile: `airconn profile set NAME --ca-cert FILE`); --insecure skips the check";

function networkError(
  err: unknown,
  url: URL,
  timedOut: boolean,
  timeoutMs: number,
  proxy?: { url: string; from: string },
): NetworkError {
  const via = proxy ? ` through the proxy ${proxy.url} (from ${proxy.from})` : "";
  if (timedOut) {
    return new NetworkError(
      `no answer from ${url.origin}${via} within ${fmtSeconds(timeoutMs)}`,
      "raise the limit with --timeout <seconds>, or check the server",
      "ETIMEDOUT",
    );
  }
  const cause = (err as { cause?: { code?: string; message?: string; hostname?: string } })?.cause;
  const code = cause?.code ?? (err as { code?: string })?.code;
  const msg = cause?.message ?? (err as Error)?.message ?? String(err);
  const where = url.origin;
  // fetch's own refusal (the Fetch standard's "bad port" list: ports of other protocols, e.g. 6000 X11, 10080 Amanda).
  if (msg === "bad port") {
    return new NetworkError(
      `cannot reach ${where}: fetch refuses port ${url.port || "(default)"} ("bad port": browsers and Node block it because it belongs to another protocol)`,
      "serve the Airflow API on another port (such as 8080), or put a reverse proxy on an allowed port in front of it",
      "ERR_BAD_PORT",
    );
  }
  if (code && TLS_CODES.has(code)) {
    const noTls = code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO";
    // OpenSSL's own text ("80...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:...") is for its developers.
    const reason = noTls
      ? "the server did not answer with TLS (wrong version number)"
      : // Node 24 appends advice for its own flags ("; if the root CA is installed locally, try running Node.js with
        // --use-system-ca"); airconn's hint says how to give the CA instead.
        oneLine(cause?.message ?? code)
          .replace(/;\s*if the root CA is installed locally.*$/i, "")
          .trim();
    return new TlsError(
      `TLS error talking to ${where}${via}: ${reason}`,
      noTls ? "does the server speak https on this port? Use http:// in --api-url if it serves plain http" : CA_HINT,
      code,
    );
  }
  if (proxy) {
    // Through a proxy, airconn only ever connects to the proxy: the proxy connects to Airflow.
    const proxyHint = `${proxy.from}, or add ${url.hostname} to NO_PROXY to connect directly`;
    switch (code) {
      case "ECONNREFUSED":
        return new ProxyError(
          `cannot connect to the proxy ${proxy.url} (from ${proxy.from}): connection refused`,
          `is the proxy running? Check ${proxyHint}`,
          code,
          proxy.url,
        );
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return new ProxyError(
          `cannot resolve the host of the proxy ${proxy.url} (from ${proxy.from})`,
          `check ${proxyHint}`,
          code,
          proxy.url,
        );
      case "ECONNRESET":
      case "UND_ERR_SOCKET":
        return new ProxyError(
          `the connection to ${where}${via} was closed before an answer came`,
          undefined,
          code,
          proxy.url,
        );
      case "UND_ERR_CONNECT_TIMEOUT":
        return new ProxyError(
          `cannot connect to the proxy ${proxy.url} (from ${proxy.from}): no answer`,
          `check ${proxyHint}`,
          code,
          proxy.url,
        );
      default: {
        // undici: "Request was cancelled." whose cause is "Proxy response (403) !== 200 when HTTP Tunneling".
        const refused = /Proxy response \((\d+)\)/.exec(causeMessages(err));
        if (refused) {
          const st = Number(refused[1]);
          return new ProxyError(
            `the proxy ${proxy.url} (from ${proxy.from}) did not open a connection to ${url.host}: it answered ${st}`,
            st === 407
              ? "the proxy wants credentials: give them in the proxy URL (http://user:password@proxy:3128)"
              : `the proxy cannot reach ${url.host} or does not allow it; check ${proxyHint}`,
            code,
            proxy.url,
          );
        }
      }
    }
  }
  switch (code) {
    case "ECONNREFUSED":
      return new NetworkError(
        `cannot connect to ${where}: connection refused`,
        "is the Airflow API server running? Check the URL with `airconn profile show`",
        code,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new NetworkError(
        `cannot resolve host ${url.hostname}`,
        "check the API URL (`airconn profile show`) and your network or proxy",
        code,
      );
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return new NetworkError(`the connection to ${where} was closed before an answer came`, undefined, code);
    default:
      return new NetworkError(`cannot reach ${where}${via}: ${msg}`, undefined, code);
  }
}

/** The messages of an error and its causes, one per line. */
function causeMessages(err: unknown): string {
  const out: string[] = [];
  for (
    let e = err as { message?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  )
    out.push(String(e.message ?? ""));
  return out.join("\n");
}

const fmtSeconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * Turns any error answer into one error with a one-line message: an ApiError for what the Airflow API answers, a
 * NotAirflowApiError for what only something else would (a route that does not exist, an HTML page, a redirect).
 */
export function apiError(
  status: number,
  text: string,
  headers: Headers,
  method: string,
  url: URL | string,
  baseUrl?: string,
): ApiError | NotAirflowApiError {
  const u = typeof url === "string" ? new URL(url) : url;
  const type = headers.get("content-type") ?? "";
  const base = baseUrl ?? originOf(u);
  if (status >= 300 && status < 400) {
    const loc = headers.get("location");
    return new NotAirflowApiError(
      `${originOf(u) + u.pathname} redirected (${status}) to ${loc ?? "another page"}, not an Airflow API answer`,
      "redirect",
      method,
      u.toString(),
      status,
      "check the API URL: a redirect usually means a login page or a proxy in front of Airflow",
    );
  }
  if (type.includes("text/html") || /^\s*<(!doctype|html)/i.test(text)) {
    if (status >= 500) {
      // A gateway's error page (nginx 502/503/504...): the URL is right, the server behind it is not answering.
      const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim().replace(/\s+/g, " ");
      return new ApiError(
        status,
        `server error ${status} from ${originOf(u) + u.pathname}: ${title || "an HTML page"} (an HTML error page)`,
        method,
        u.toString(),
        "the Airflow API server, or a proxy in front of it, is unavailable: try again later",
      );
    }
    const message = `${originOf(u) + u.pathname} answered ${status} with an HTML page, not the Airflow API`;
    if (status === 404) return new NotAirflowApiError(message, "route", method, u.toString(), status, BASE_URL_HINT);
    if (status === 401 || status === 403)
      return new ApiError(
        status,
        message,
        method,
        u.toString(),
        "check the API URL: it should be the Airflow base URL, such as http://localhost:8080",
      );
    return new NotAirflowApiError(
      message,
      "html",
      method,
      u.toString(),
      status,
      "check the API URL: it should be the Airflow base URL, such as http://localhost:8080",
    );
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  if (isRouteMiss(status, body)) {
    return new NotAirflowApiError(
      `${method} ${originOf(u) + u.pathname} answered ${status} ${quoteAnswer(text)}: no such route, so ${base} does not serve the Airflow API`,
      "route",
      method,
      u.toString(),
      status,
      BASE_URL_HINT,
    );
  }
  // The hint (expired, refused, not allowed, a server failure) is ApiError's, from the auth kind it computes.
  return new ApiError(status, describeDetail(body, status), method, u.toString(), undefined, body);
}

export function describeDetail(body: unknown, status: number): string {
  if (typeof body === "string") {
    const t = body.trim();
    return t ? `server error ${status}: ${oneLine(t).slice(0, 300)}` : `server error ${status} with an empty answer`;
  }
  const b = body as { detail?: unknown; error?: unknown } | null;
  const d = b && typeof b === "object" ? (b.detail ?? b.error) : undefined;
  if (typeof d === "string") return oneLine(d);
  if (Array.isArray(d)) {
    const seen = new Set<string>();
    for (const e of d as Array<{ loc?: Array<string | number>; msg?: string }>) {
      const loc = (e.loc ?? []).filter((p, i) => !(i === 0 && (p === "body" || p === "query" || p === "path")));
      const line = `${loc.length ? loc.join(".") + ": " : ""}${e.msg ?? JSON.stringify(e)}`;
      seen.add(line);
    }
    return [...seen].join("; ");
  }
  if (d && typeof d === "object") {
    const o = d as { reason?: string; message?: string };
    if (o.reason) return `${o.reason}${o.message ? ` (${o.message})` : ""}`;
    return JSON.stringify(d);
  }
  return `server error ${status}: ${JSON.stringify(body)}`;
}
