// One thin request function over fetch: bearer token, JSON bodies, repeated query keys, per-request timeout,
// retries for idempotent requests, and one ApiError for every error shape Airflow answers with.
import { ApiError, NetworkError, oneLine } from "../errors.js";
import type { Dispatcher } from "undici";
import { FixedTokenSource, type TokenSource } from "./token.js";

export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

export interface HttpOptions {
  baseUrl: string;                 // Airflow base URL, no trailing slash
  token?: string;
  /** Where tokens come from and how a new one is got after a 401 (wins over `token`). */
  auth?: TokenSource;
  timeoutMs?: number;              // per attempt; default 30 s
  retries?: number;                // extra attempts for GET/DELETE on network errors, 429, 502, 503, 504; default 3
  dispatcher?: Dispatcher;         // undici dispatcher (proxy, TLS, MockAgent in tests)
  fetch?: typeof fetch;
  verbose?: (line: string) => void;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;            // cancels everything (Ctrl-C)
  maxRetryDelayMs?: number;        // cap for backoff and Retry-After, default 30 s
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

export interface HttpResponse<T> { status: number; body: T; headers: Headers }

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const RETRY_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);
const RETRY_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETDOWN", "ENETUNREACH",
  "EHOSTDOWN", "EHOSTUNREACH", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

export function buildUrl(base: string, path: string, query?: Query): URL {
  const url = new URL(base + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  return url;
}

/** Percent-encodes a connection id for a path segment. */
export const encodeId = (id: string): string => encodeURIComponent(id).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export class Http {
  private readonly fetchFn: typeof fetch;
  readonly auth?: TokenSource;
  constructor(readonly opts: HttpOptions) {
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.auth = opts.auth ?? (opts.token ? new FixedTokenSource(opts.token) : undefined);
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = buildUrl(this.opts.baseUrl, (o.raw ? "" : "/api/v2") + path, o.query);
    const retries = RETRY_METHODS.has(method) ? (this.opts.retries ?? 3) : 0;
    // An explicit token (or null) is used as it is; otherwise the token source gives one and may renew it once on 401.
    const auth = o.token === undefined ? this.auth : undefined;
    let token = o.token === null ? undefined : (o.token ?? (auth ? await auth.get() : undefined));
    let authRetried = false;
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.opts.userAgent ?? "airconn" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (o.headers) Object.assign(headers, o.headers);
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const maxDelay = this.opts.maxRetryDelayMs ?? 30_000;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;

    for (let attempt = 0; ; ) {
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = this.opts.signal ? AbortSignal.any([timeout, this.opts.signal]) : timeout;
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method, headers, body, signal, redirect: "manual",
          ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
        } as RequestInit);
      } catch (err) {
        const nerr = networkError(err, url, timeout.aborted, timeoutMs);
        this.log(method, url, `error ${nerr.causeCode ?? ""}`.trim(), started);
        if (this.opts.signal?.aborted) throw err;
        if (attempt < retries && nerr.causeCode && RETRY_CODES.has(nerr.causeCode)) {
          await sleep(backoff(attempt++, maxDelay));
          continue;
        }
        throw nerr;
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        const nerr = networkError(err, url, timeout.aborted, timeoutMs);
        this.log(method, url, `${res.status} body ${nerr.causeCode ?? "error"}`, started);
        if (attempt < retries && !timeout.aborted) { await sleep(backoff(attempt++, maxDelay)); continue; }
        throw nerr;
      }
      this.log(method, url, String(res.status), started);
      if (attempt < retries && RETRY_STATUSES.has(res.status)) {
        await sleep(retryAfter(res.headers.get("retry-after"), maxDelay) ?? backoff(attempt, maxDelay));
        attempt++;
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        if (auth && token) auth.accepted(token);
        return { status: res.status, body: parseSuccess(text, res, method, url) as T, headers: res.headers };
      }
      // A DELETE retried after a lost answer finds the connection already gone: that is the success we wanted.
      if (method === "DELETE" && res.status === 404 && attempt > 0) return { status: 204, body: undefined as T, headers: res.headers };
      const err = apiError(res.status, text, res.headers, method, url);
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
        throw new ApiError(err.status, err.detail, method, url.toString(), `${auth!.label} gave a new token and the server refused it too`, err.body);
      }
      throw err;
    }
  }

  private log(method: string, url: URL, status: string, started: number): void {
    if (!this.opts.verbose) return;
    this.opts.verbose(`${method} ${url.toString()} ${status} ${Math.round(performance.now() - started)} ms`);
  }
}

function backoff(attempt: number, cap: number): number {
  const base = Math.min(cap, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * base / 2);
}

export function retryAfter(header: string | null, cap: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return Math.min(cap, secs * 1000);
  const date = Date.parse(header);
  if (!Number.isNaN(date)) return Math.min(cap, Math.max(0, date - Date.now()));
  return undefined;
}

function parseSuccess(text: string, res: Response, method: string, url: URL): unknown {
  if (res.status === 204 || text === "") return undefined;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/html") || /^\s*<(!doctype|html)/i.test(text)) {
    throw new ApiError(res.status, `${url.origin + url.pathname} answered with an HTML page, not the Airflow API`, method, url.toString(),
      "check the API URL: it should be the Airflow base URL, such as http://localhost:8080 (see `airconn profile show`)");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `the server sent a malformed JSON answer (${text.length} bytes) for ${method} ${url.pathname}`, method, url.toString(),
      "a proxy may have cut the answer short; try again, or run with --verbose");
  }
}

function networkError(err: unknown, url: URL, timedOut: boolean, timeoutMs: number): NetworkError {
  if (timedOut) {
    return new NetworkError(`no answer from ${url.origin} within ${fmtSeconds(timeoutMs)}`, "raise the limit with --timeout <seconds>, or check the server", "ETIMEDOUT");
  }
  const cause = (err as { cause?: { code?: string; message?: string; hostname?: string } })?.cause;
  const code = cause?.code ?? (err as { code?: string })?.code;
  const where = url.origin;
  switch (code) {
    case "ECONNREFUSED":
      return new NetworkError(`cannot connect to ${where}: connection refused`, "is the Airflow API server running? Check the URL with `airconn profile show`", code);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new NetworkError(`cannot resolve host ${url.hostname}`, "check the API URL (`airconn profile show`) and your network or proxy", code);
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return new NetworkError(`the connection to ${where} was closed before an answer came`, undefined, code);
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new NetworkError(`TLS error talking to ${where}: ${cause?.message ?? code}`, "pass the CA with --ca-cert <file> (or --insecure to skip verification)", code);
    default: {
      const msg = cause?.message ?? (err as Error)?.message ?? String(err);
      return new NetworkError(`cannot reach ${where}: ${msg}`, undefined, code);
    }
  }
}

const fmtSeconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/** Turns any error answer into one ApiError with a one-line message. */
export function apiError(status: number, text: string, headers: Headers, method: string, url: URL | string): ApiError {
  const u = typeof url === "string" ? new URL(url) : url;
  const type = headers.get("content-type") ?? "";
  if (status >= 300 && status < 400) {
    const loc = headers.get("location");
    return new ApiError(status, `${u.origin + u.pathname} redirected (${status}) to ${loc ?? "another page"}, not an Airflow API answer`, method, u.toString(),
      "check the API URL: a redirect usually means a login page or a proxy in front of Airflow");
  }
  if (type.includes("text/html") || /^\s*<(!doctype|html)/i.test(text)) {
    if (status >= 500) {
      // A gateway's error page (nginx 502/503/504...): the URL is right, the server behind it is not answering.
      const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim().replace(/\s+/g, " ");
      return new ApiError(status, `server error ${status} from ${u.origin + u.pathname}: ${title || "an HTML page"} (an HTML error page)`, method, u.toString(),
        "the Airflow API server, or a proxy in front of it, is unavailable: try again later");
    }
    return new ApiError(status, `${u.origin + u.pathname} answered ${status} with an HTML page, not the Airflow API`, method, u.toString(),
      "check the API URL: it should be the Airflow base URL, such as http://localhost:8080");
  }
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* plain text */ }
  const detail = describeDetail(body, status);
  return new ApiError(status, detail, method, u.toString(), hintFor(status, detail), body);
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

function hintFor(status: number, detail: string): string | undefined {
  if (status === 401 && /expired/i.test(detail)) return "your token has expired: run `airconn login` again";
  if (status === 401) return "log in with `airconn login` (or set AIRCONN_TOKEN)";
  if (status === 403 && /jwt|token/i.test(detail)) return "the token is not valid for this server: run `airconn login`";
  if (status === 403) return "your Airflow user is not allowed to do this";
  if (status >= 500) return "the Airflow API server failed; see its logs, or retry";
  return undefined;
}

