// An in-memory, Airflow 3.2.1- or 3.3.2-compatible connections API (REST API v2 + simple auth manager /auth/token).
// Behaviour follows /work/shared/airflow/api-behaviour.md; see README.md in this folder.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { PyJsonError, pyLoads, toJs } from "../../src/util/pyjson.js";
import {
  checkColumnLimits, fromBody, runBulk, testConnection, toResponse, UniqueViolation, updateFields,
} from "./connections.js";
import { defaultConnections, seedConnection } from "./defaults.js";
import { JwtSigner } from "./jwt.js";
import { maskerFor, type Masker } from "./redact.js";
import { SORTABLE, Store, type StoredConnection } from "./store.js";
import {
  err, InternalServerError, isObject, laxInt, missing, pyListRepr, pyRepr, validateBulkBody, validateConnectionBody,
  validateConnectionTestRequestBody, type PydError,
} from "./validate.js";
import { before32, is33, resolveVersion, type AirflowVersion } from "./version.js";
import { WorkerTests, type ConnectionTestRun } from "./worker-tests.js";

export type { StoredConnection } from "./store.js";
export type { AirflowVersion } from "./version.js";
export type { ConnectionTestRun, TestState } from "./worker-tests.js";
export { AIRFLOW_VERSIONS, VERSION_ENV } from "./version.js";
export { HANGING_HOST, UNREACHABLE_HOST } from "./connections.js";

export interface FakeAirflowOptions {
  /**
   * The Airflow release to imitate (what /api/v2/version says, and 3.3's routes, prefix search and masking).
   * Default: $AIRCONN_TEST_AIRFLOW_VERSION, else "3.2.1".
   */
  airflowVersion?: AirflowVersion;
  /** 3.3: executors a test may name (`executor`); default ["LocalExecutor"] */
  executors?: string[];
  /** 3.3: [scheduler] max_connection_test_concurrency, default 4 */
  maxConnectionTestConcurrency?: number;
  /** 3.3: time an uncontended test on a worker takes from enqueue to its result (three equal phases), default 300 */
  connectionTestMs?: number;
  /** 3.3: connection_test_timeout + grace: an unfinished test this old is failed by the scheduler; default 90000 */
  connectionTestTimeoutMs?: number;
  /**
   * [core] multi_team, default false (Airflow's default). Off, 3.3 refuses a non-null team_name in ConnectionBody's
   * validator: a validation 422 list at the body on POST, PATCH and enqueue-test, and a 422 for a whole bulk request.
   * 3.2.1 stores any team_name either way (api-behaviour.md §8).
   */
  multiTeam?: boolean;
  /** default 0 (a free port); host 127.0.0.1 */
  port?: number;
  host?: string;
  /** N generated connections conn_00001.. */
  seed?: number;
  /** artificial delay before every /api/v2 and /auth answer */
  latencyMs?: number;
  /** [api] maximum_page_limit, default 100 */
  maxPageLimit?: number;
  /** [core] test_connection, default Disabled */
  testConnection?: "Disabled" | "Enabled" | "Hidden";
  /** simple auth manager users (username -> password), default { admin: "admin" } */
  users?: Record<string, string>;
  /** [api_auth] jwt_expiration_time, default 86400 */
  tokenTtlSeconds?: number;
  /** [api_auth] jwt_leeway; Airflow's default is 10, the fake's is 0 so that expired tokens fail at once */
  jwtLeewaySeconds?: number;
  faults?: Faults;
  /** record requests in `requests` (default true) */
  record?: boolean;
  /** keep at most this many recorded requests (default 200000) */
  recordLimit?: number;
  /**
   * Rows the metadata database holds at start (and again after reset()), stored as given, without the API's
   * validation (as the Airflow CLI or a database import would leave them); after the generated `seed` rows.
   */
  connections?: SeedConnection[];
  /**
   * 3.3 worker tests: time moves only when advanceClock(ms) is called (for tests with a fake clock), not with the
   * wall clock. Latency and token expiry keep the wall clock. Default false.
   */
  manualClock?: boolean;
  /**
   * Tests only: called for every request (after `latencyMs`, before faults and routing); a reply it returns is sent
   * instead of the server's own. For what the options and faults cannot script (a server that answers inconsistently).
   */
  intercept?: (req: RecordedRequest) => InterceptReply | undefined;
}

/** A stored row: connection_id and conn_type, other fields null unless given. */
export type SeedConnection = Partial<Omit<StoredConnection, "id">> & { connection_id: string; conn_type: string };

/** What `intercept` answers: `json` is sent as application/json, `text` as text/plain. */
export interface InterceptReply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface Faults {
  rate503?: number;
  status?: number;
  retryAfter?: number;
  failFirst?: number;
  hang?: boolean;
  plain500?: boolean;
  truncatedJson?: boolean;
  html?: boolean;
  redirectToLogin?: boolean;
  dieAfterRequests?: number;
  methods?: string[];
  pathPattern?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json?: unknown;
  status: number;
  /** performance.now() when the request had been read, and when its answer was sent (0 while unanswered) */
  at: number;
  doneAt: number;
}

export interface FakeAirflow {
  url: string;
  port: number;
  adminToken: string;
  /** the version this server imitates */
  airflowVersion: AirflowVersion;
  /** the words whose keys this version masks in `extra` (substring match on the lower-cased key) */
  sensitiveWords: readonly string[];
  requests: RecordedRequest[];
  /** 3.3: every enqueued connection test, oldest first, with the states it went through */
  connectionTests(): ConnectionTestRun[];
  stored(id: string): StoredConnection | undefined;
  all(): StoredConnection[];
  mintToken(opts?: { username?: string; expiresInSeconds?: number }): string;
  setFaults(f: Faults | undefined): void;
  reset(opts?: { seed?: number }): void;
  /** manualClock: moves the 3.3 worker tests' time on by `ms` (every state change due on the way happens) */
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  type?: string;
}

const JSON_TYPE = "application/json";
const HTML_TYPE = "text/html; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply =>
  ({ status, body: JSON.stringify(value), type: JSON_TYPE, headers });
const detail = (status: number, d: unknown, headers?: Record<string, string>) => json(status, { detail: d }, headers);
const e422 = (errors: PydError[]) => detail(422, errors);
const plain500 = (): Reply => ({ status: 500, body: "Internal Server Error", type: TEXT_TYPE });
const notFound = (id: string) => detail(404, `The Connection with connection_id: \`${id}\` was not found`);
const methodNotAllowed = (allow: string[]) => detail(405, "Method Not Allowed", { allow: allow.join(", ") });
const routeNotFound = () => json(404, { error: "API route not found" });
const TESTS_DISABLED = "Testing connections is disabled in Airflow configuration. Contact your deployment admin to enable it.";
const TOKEN_HEADER = "Airflow-Connection-Test-Token";

const randomId = (n = 8) => {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join("");
};
const uniqueViolation = () =>
  detail(409, {
    reason: "Unique constraint violation",
    statement: "hidden",
    orig_error: "hidden",
    message: `Serious error when handling your request. Check logs for more details - you will find it in api server when you look for ID ${randomId()}`,
  });

const UI_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <base href="/" />
    <title>Airflow</title>
    <link rel="icon" type="image/png" href="/static/pin_32.png" />
    <script type="module" crossorigin src="/static/assets/index.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;
const LOGIN_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Sign In - Airflow</title></head>
  <body>
    <form method="post" action="/auth/token/login">
      <h1>Sign into Airflow</h1>
      <label>Username <input name="username" /></label>
      <label>Password <input name="password" type="password" /></label>
      <button type="submit">Sign in</button>
    </form>
  </body>
</html>
`;

/** uvicorn: scope["path"] = unquote(raw_path) (UTF-8, invalid bytes replaced). */
function decodePath(raw: string): string {
  if (!raw.includes("%")) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
}

type BodyParse =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; value: string }
  | { kind: "invalid"; reply: Reply };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Python json.loads, with the error FastAPI reports (json_invalid) on failure. */
function pyJsonParse(text: string): { ok: true; value: unknown } | { ok: false; pos: number; msg: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: toJs(pyLoads(text)) };
    } catch (e) {
      if (e instanceof PyJsonError) return { ok: false, pos: e.pos, msg: e.message.replace(/ at char \d+$/, "") };
      return { ok: false, pos: 0, msg: "Expecting value" };
    }
  }
}

/** FastAPI's request handler: which bodies are parsed as JSON. */
function parseBody(buf: Buffer, contentType: string | undefined): BodyParse {
  if (buf.length === 0) return { kind: "none" };
  let isJson = contentType === undefined;
  if (contentType !== undefined) {
    const [main = "", sub = ""] = contentType.split(";")[0]!.trim().toLowerCase().split("/");
    isJson = main === "application" && (sub === "json" || sub.endsWith("+json"));
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    if (!isJson) return { kind: "text", value: buf.toString("latin1") };
    return { kind: "invalid", reply: detail(400, "There was an error parsing the body") };
  }
  if (!isJson) return { kind: "text", value: text };
  const r = pyJsonParse(text);
  if (r.ok) return { kind: "json", value: r.value };
  return {
    kind: "invalid",
    reply: e422([{ type: "json_invalid", loc: ["body", r.pos], msg: "JSON decode error", input: {}, ctx: { error: r.msg } }]),
  };
}

/** Python repr() of a JSON-ish value (for /auth/token's string 422 detail). */
function pyValueRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyRepr(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (Array.isArray(v)) return "[" + v.map(pyValueRepr).join(", ") + "]";
  return "{" + Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyValueRepr(x)}`).join(", ") + "}";
}
const pyTypeName = (v: unknown) =>
  v === null ? "NoneType" : Array.isArray(v) ? "list" : typeof v === "string" ? "str" : typeof v === "boolean" ? "bool"
    : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : "dict";

function validateLoginBody(input: unknown, loc: (string | number)[]): { value?: { username: string; password: string }; errors: PydError[] } {
  if (!isObject(input)) return { errors: [err("model_attributes_type", loc, "Input should be a valid dictionary or object to extract fields from", input)] };
  const errors: PydError[] = [];
  for (const k of ["username", "password"]) {
    if (!(k in input)) errors.push(missing([...loc, k], input));
    else if (typeof input[k] !== "string") errors.push(err("string_type", [...loc, k], "Input should be a valid string", input[k]));
  }
  for (const k of Object.keys(input)) {
    if (k !== "username" && k !== "password") errors.push(err("extra_forbidden", [...loc, k], "Extra inputs are not permitted", input[k]));
  }
  if (errors.length) return { errors };
  return { value: { username: input.username as string, password: input.password as string }, errors };
}

function pydanticRepr(model: string, errors: PydError[]): string {
  const lines = [`${errors.length} validation error${errors.length === 1 ? "" : "s"} for ${model}`];
  for (const e of errors) {
    lines.push(e.loc.slice(1).join("."));
    lines.push(`  ${e.msg} [type=${e.type}, input_value=${pyValueRepr(e.input)}, input_type=${pyTypeName(e.input)}]`);
    lines.push(`    For further information visit https://errors.pydantic.dev/2.12/v/${e.type}`);
  }
  return lines.join("\n");
}

/**
 * connection_id_pattern: ILIKE '%term%' (PostgreSQL: backslash escapes), with the "|" OR rule and "~". 3.2.1 ORs
 * only when two or more terms are left ("a|" is the literal "a|"); 3.3 drops empty terms ("a|" is "a"). Before 3.2
 * (`noOr`) there is no OR: "a|b" is one term, the literal text, which no connection id can contain.
 */
function patternMatcher(value: string | null, v33: boolean, noOr = false): ((lower: string) => boolean) | null {
  if (value === null || value === "~") return null;
  let terms = [value];
  if (value.includes("|") && !noOr) {
    const split = value.split("|").map((t) => t.trim()).filter((t) => t.length > 0);
    if (split.length > 1 || (v33 && split.length === 1)) terms = split;
  }
  const regexes = terms.map((t) => likeToRegex(`%${t}%`.toLowerCase()));
  const plain = terms.map((t) => (/[%_\\]/.test(t) ? null : t.toLowerCase()));
  if (plain.every((p) => p !== null)) return (s) => plain.some((p) => s.includes(p!));
  return (s) => regexes.some((r) => r.test(s));
}

/**
 * connection_id_prefix_pattern (3.3): case-sensitive prefix; "|" ORs terms; "~" alone = all; "%" and "_" are
 * literal; trailing non-alphanumeric characters of each term are stripped ("test_" -> "test"). Terms are
 * trimmed; a term that is empty after stripping is dropped; if none is left the parameter filters nothing.
 */
export function prefixTerms(value: string | null): string[] | null {
  if (value === null || value.trim() === "~") return null;
  const terms = value
    .split("|")
    .map((t) => t.trim().replace(/[^\p{L}\p{N}]+$/u, ""))
    .filter((t) => t.length > 0);
  return terms.length ? terms : null;
}

function likeToRegex(p: string): RegExp {
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) re += escapeRe(p[++i]!);
    else if (c === "%") re += "[\\s\\S]*";
    else if (c === "_") re += "[\\s\\S]";
    else re += escapeRe(c);
  }
  return new RegExp(re + "$", "u");
}
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");

interface Ctx {
  method: string;
  path: string; // decoded
  rawPath: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

class FakeAirflowServer implements FakeAirflow {
  url = "";
  port = 0;
  adminToken = "";
  requests: RecordedRequest[] = [];

  readonly airflowVersion: AirflowVersion;
  readonly sensitiveWords: readonly string[];
  private readonly masker: Masker;
  private readonly v33: boolean;
  /** 3.3 with multi_team off: team_name is refused (api-behaviour.md §9) */
  private readonly refuseTeam: boolean | "absent";
  /** before 3.2.0: no "|" OR in connection_id_pattern, no team_name field */
  private readonly before32: boolean;
  private readonly store = new Store();
  private readonly workerTests: WorkerTests;
  private readonly jwt: JwtSigner;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly users: Record<string, string>;
  private readonly record: boolean;
  private readonly recordLimit: number;
  private faults: Faults | undefined;
  private faultCount = 0;
  private dieCountdown: number | undefined;
  private crashed = false;
  private closed = false;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(private readonly opts: FakeAirflowOptions) {
    this.airflowVersion = resolveVersion(opts.airflowVersion);
    this.v33 = is33(this.airflowVersion);
    this.before32 = before32(this.airflowVersion);
    this.refuseTeam = this.before32 ? "absent" : this.v33 && opts.multiTeam !== true;
    this.masker = maskerFor(this.airflowVersion);
    this.sensitiveWords = this.masker.words;
    this.workerTests = new WorkerTests(this.store, {
      durationMs: opts.connectionTestMs ?? 300,
      maxConcurrency: opts.maxConnectionTestConcurrency ?? 4,
      timeoutMs: opts.connectionTestTimeoutMs ?? 90_000,
      masker: this.masker,
      manualClock: opts.manualClock ?? false,
    });
    this.jwt = new JwtSigner(undefined, opts.jwtLeewaySeconds ?? 0);
    this.users = opts.users ?? { admin: "admin" };
    this.record = opts.record ?? true;
    this.recordLimit = opts.recordLimit ?? 200_000;
    // Idle keep-alive sockets stay open for a minute: a client (undici closes its idle sockets after 4 s) always gives
    // up a socket before the server does, so a request never lands on a socket the server is closing (ECONNRESET, seen
    // when a loaded machine delays the client's timers past a 5 s server timeout).
    this.server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => this.onRequest(req, res));
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.setFaults(opts.faults);
    this.seed(opts.seed ?? 0);
  }

  async listen(): Promise<void> {
    const host = this.opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port ?? 0, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host}:${this.port}`;
    this.adminToken = this.mintToken({ username: "admin" });
  }

  // ---- public API --------------------------------------------------------------------------------
  stored(id: string): StoredConnection | undefined {
    const c = this.store.get(id);
    return c ? plainCopy(c) : undefined;
  }

  all(): StoredConnection[] {
    return this.store.ordered().map(plainCopy);
  }

  connectionTests(): ConnectionTestRun[] {
    return this.workerTests.all();
  }

  mintToken(o: { username?: string; expiresInSeconds?: number } = {}): string {
    return this.jwt.sign(o.username ?? "admin", o.expiresInSeconds ?? this.opts.tokenTtlSeconds ?? 86400);
  }

  setFaults(f: Faults | undefined): void {
    this.faults = f && Object.keys(f).length > 0 ? { ...f } : undefined;
    this.faultCount = 0;
    this.dieCountdown = f?.dieAfterRequests;
    this.revive();
  }

  advanceClock(ms: number): void {
    this.workerTests.advance(ms);
  }

  reset(o: { seed?: number } = {}): void {
    this.workerTests.reset();
    this.store.clear();
    this.requests.length = 0;
    this.seed(o.seed ?? 0);
    this.revive();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workerTests.reset();
    for (const r of this.hanging) r.destroy();
    for (const s of this.sockets) s.destroy();
    if (this.crashed) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internals ---------------------------------------------------------------------------------
  private seed(n: number): void {
    for (let i = 1; i <= n; i++) this.store.insert(seedConnection(i));
    for (const c of this.opts.connections ?? []) {
      this.store.insert({
        description: null, host: null, login: null, schema: null, port: null, extra: null, team_name: null, ...c,
        password: c.password ? c.password : null,
      });
    }
  }

  private revive(): void {
    if (!this.crashed || this.closed) return;
    this.crashed = false;
    const onError = (e: Error) => {
      this.crashed = true; // the port was taken meanwhile: stay "dead"
      process.stderr.write(`fake-airflow: cannot listen again on port ${this.port}: ${e.message}\n`);
    };
    this.server.once("error", onError);
    this.server.listen(this.port, this.opts.host ?? "127.0.0.1", () => this.server.off("error", onError));
  }

  private crash(): void {
    this.crashed = true;
    this.server.close();
    for (const r of this.hanging) r.destroy();
    for (const s of this.sockets) s.destroy();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      void this.handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) this.send(req, res, plain500(), undefined);
        if (process.env.FAKE_AIRFLOW_DEBUG) console.error(e);
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    const ctx: Ctx = {
      method: (req.method ?? "GET").toUpperCase(),
      path: decodePath(rawPath),
      rawPath,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
    };
    let rec: RecordedRequest | undefined;
    if (this.record || this.opts.intercept) {
      const text = body.toString("utf8");
      rec = { method: ctx.method, path: ctx.path, query: ctx.query, rawQuery, headers: { ...req.headers }, body: text, status: 0, at: performance.now(), doneAt: 0 };
      if (text.length > 0) {
        try {
          rec.json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
      }
    }
    if (rec && this.record) {
      this.requests.push(rec);
      if (this.requests.length > this.recordLimit) this.requests.splice(0, Math.max(1, Math.floor(this.recordLimit / 10)));
    }

    const isApi = ctx.path.startsWith("/api/v2/") || ctx.path === "/api/v2";
    const isAuth = ctx.path === "/auth" || ctx.path.startsWith("/auth/");
    if ((isApi || isAuth) && this.opts.latencyMs) await sleep(this.opts.latencyMs);
    if (this.closed || res.destroyed) return;

    const scripted = rec && this.opts.intercept?.(rec);
    if (scripted) {
      const text = scripted.json !== undefined ? JSON.stringify(scripted.json) : scripted.text;
      this.send(req, res, { status: scripted.status, headers: scripted.headers, body: text, type: scripted.json !== undefined ? JSON_TYPE : TEXT_TYPE }, rec);
      return;
    }
    if (isApi && this.faults) {
      const fault = this.pickFault(ctx);
      if (fault === "die") {
        this.crash();
        return;
      }
      if (fault === "hang") {
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
      }
      if (fault) {
        this.send(req, res, fault, rec);
        return;
      }
    }
    let reply: Reply;
    try {
      reply = this.route(ctx);
    } catch (e) {
      if (e instanceof UniqueViolation) reply = uniqueViolation();
      else {
        if (process.env.FAKE_AIRFLOW_DEBUG && !(e instanceof InternalServerError)) console.error(e);
        reply = plain500();
      }
    }
    this.send(req, res, reply, rec);
  }

  private pickFault(ctx: Ctx): Reply | "hang" | "die" | null {
    const f = this.faults!;
    if (f.methods && f.methods.length > 0 && !f.methods.map((m) => m.toUpperCase()).includes(ctx.method)) return null;
    if (f.pathPattern !== undefined && !new RegExp(f.pathPattern).test(ctx.rawPath)) return null;
    if (this.dieCountdown !== undefined) {
      if (this.dieCountdown <= 0) return "die";
      this.dieCountdown--;
    }
    if (f.failFirst !== undefined && this.faultCount >= f.failFirst) return null;
    const retry: Record<string, string> = f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {};
    let reply: Reply | "hang" | null = null;
    if (f.hang) reply = "hang";
    else if (f.status !== undefined) reply = faultStatus(f.status, [429, 502, 503].includes(f.status) ? retry : {});
    else if (f.rate503 !== undefined) reply = Math.random() < f.rate503 ? faultStatus(503, retry) : null;
    else if (f.plain500) reply = plain500();
    else if (f.truncatedJson) {
      reply = { status: 200, type: JSON_TYPE, body: '{"connections":[{"connection_id":"conn_00001","conn_type":"postgres","description":null,"host":"db.inter' };
    } else if (f.html) reply = { status: 200, type: HTML_TYPE, body: UI_HTML };
    else if (f.redirectToLogin) {
      reply = { status: 302, headers: { location: `/login?next=${encodeURIComponent(ctx.rawPath)}` }, body: "" };
    }
    if (reply !== null) this.faultCount++;
    return reply;
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, rec: RecordedRequest | undefined): void {
    if (rec) {
      rec.status = reply.status;
      rec.doneAt = performance.now();
    }
    if (res.destroyed) return;
    let body = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, "utf8");
    const headers: Record<string, string> = { server: "uvicorn", ...(reply.headers ?? {}) };
    if (reply.status !== 204 && reply.status !== 304) {
      if (reply.type) headers["content-type"] = reply.type;
      if (body.length >= 1024) {
        headers.vary = "Accept-Encoding";
        if (String(req.headers["accept-encoding"] ?? "").includes("gzip")) {
          body = gzipSync(body);
          headers["content-encoding"] = "gzip";
        }
      }
      headers["content-length"] = String(body.length);
    } else body = Buffer.alloc(0);
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  // ---- routing (core_api/app.py init_views + the connections router) --------------------------------
  private route(ctx: Ctx): Reply {
    const { method, path } = ctx;
    if (path.startsWith("/api/v2/")) {
      const rest = path.slice("/api/v2".length);
      if (rest === "/version") {
        if (method === "GET") return json(200, { version: this.airflowVersion, git_version: `.release:${this.airflowVersion}` });
        return methodNotAllowed(["GET"]);
      }
      if (rest === "/connections") {
        if (method === "GET") return this.withAuth(ctx, null, () => this.list(ctx));
        if (method === "POST") return this.withAuth(ctx, ctx.body, (b) => this.create(b));
        if (method === "PATCH") return this.withAuth(ctx, ctx.body, (b) => this.bulk(b));
        return methodNotAllowed(["GET", "POST", "PATCH"]);
      }
      const m = /^\/connections\/([^/]+)$/.exec(rest);
      if (m) {
        const id = m[1]!;
        if (this.v33 && id === "enqueue-test") {
          // 3.3: GET and POST are the worker-test routes (declared before /{connection_id}); PATCH/DELETE still reach it
          if (method === "GET") return this.withAuth(ctx, null, () => this.pollTest(ctx));
          if (method === "POST") return this.withAuth(ctx, ctx.body, (b) => this.enqueueTest(b));
        }
        const special = id === "test" || id === "defaults" || (this.v33 && id === "enqueue-test");
        if (method === "GET") return this.withAuth(ctx, null, () => this.getOne(id));
        if (method === "PATCH") return this.withAuth(ctx, ctx.body, (b) => this.patchOne(id, b, ctx));
        if (method === "DELETE") return this.withAuth(ctx, null, () => this.deleteOne(id));
        if (method === "POST" && id === "test") return this.withAuth(ctx, ctx.body, (b) => this.test(b));
        if (method === "POST" && id === "defaults") return this.withAuth(ctx, null, () => this.defaults());
        return methodNotAllowed(special ? ["GET", "PATCH", "DELETE", "POST"] : ["GET", "PATCH", "DELETE"]);
      }
      if (method === "GET") return routeNotFound();
      return methodNotAllowed(["GET"]);
    }
    if (path.startsWith("/api/v1/")) {
      if (method === "GET") return json(404, { error: "/api/v1 has been removed in Airflow 3, please use its upgraded version /api/v2 instead." });
      return methodNotAllowed(["GET"]);
    }
    if (path === "/auth/token") {
      if (method === "POST") return this.authToken(ctx, false);
      if (method === "GET") return detail(403, "Forbidden");
      return methodNotAllowed(["GET", "POST"]);
    }
    if (path === "/auth/token/cli") {
      if (method === "POST") return this.authToken(ctx, true);
      return methodNotAllowed(["POST"]);
    }
    if (method !== "GET") return methodNotAllowed(["GET"]);
    if (path === "/login" || path.startsWith("/login/") || path.startsWith("/auth/")) return { status: 200, type: HTML_TYPE, body: LOGIN_HTML };
    return { status: 200, type: HTML_TYPE, body: UI_HTML };
  }

  /** body JSON parsing (before auth) -> 401/403 -> handler (which validates: 422). */
  private withAuth(ctx: Ctx, body: Buffer | null, handler: (b: BodyParse) => Reply): Reply {
    let parsed: BodyParse = { kind: "none" };
    if (body !== null) {
      const ct = ctx.headers["content-type"];
      parsed = parseBody(body, ct);
      if (parsed.kind === "invalid") return parsed.reply;
    }
    const denied = this.authenticate(ctx);
    if (denied) return denied;
    return handler(parsed);
  }

  private authenticate(ctx: Ctx): Reply | null {
    const h = ctx.headers.authorization;
    let token = "";
    if (typeof h === "string" && h.length > 0) {
      const sp = h.indexOf(" ");
      const scheme = sp < 0 ? h : h.slice(0, sp);
      if (scheme.toLowerCase() !== "bearer") return detail(401, "Not authenticated", { "www-authenticate": "Bearer" });
      token = sp < 0 ? "" : h.slice(sp + 1).trim();
    } else {
      const cookie = /(?:^|;\s*)_token=([^;]*)/.exec(String(ctx.headers.cookie ?? ""));
      if (cookie) token = decodeURIComponent(cookie[1]!);
    }
    if (!token) return detail(401, "Not authenticated", { "www-authenticate": "Bearer" });
    const v = this.jwt.verify(token);
    if (v.result === "expired") return detail(401, "Token Expired");
    if (v.result === "invalid") return detail(403, "Invalid JWT token");
    return null;
  }

  /** The single ConnectionBody of POST / PATCH / test, as FastAPI validates it. */
  private connectionBody(b: BodyParse) {
    if (b.kind === "none") return { errors: [missing(["body"], null)] };
    const input = b.kind === "json" ? b.value : b.kind === "text" ? b.value : null;
    if (input === null) return { errors: [missing(["body"], null)] };
    return validateConnectionBody(input, ["body"], [], this.refuseTeam);
  }

  private list(ctx: Ctx): Reply {
    const errors: PydError[] = [];
    const intParam = (name: string, def: number): number => {
      const all = ctx.query.getAll(name);
      if (all.length === 0) return def;
      const raw = all[all.length - 1]!;
      const r = laxInt(raw, ["query", name]);
      if (!r.ok) {
        errors.push(r.error);
        return def;
      }
      if (r.value < 0) {
        errors.push(err("greater_than_equal", ["query", name], "Input should be greater than or equal to 0", raw, { ge: 0 }));
        return def;
      }
      return r.value;
    };
    let limit = intParam("limit", 50);
    const offset = intParam("offset", 0);
    if (errors.length) return e422(errors);
    limit = Math.min(limit, this.opts.maxPageLimit ?? 100);
    const orderValues = ctx.query.getAll("order_by");
    const values = orderValues.length ? orderValues : ["id"];
    if (values.length > 10) {
      return detail(400, `Ordering with more than 10 parameters is not allowed. Provided: ${pyListRepr(values)}`);
    }
    const orderBy: { key: (typeof SORTABLE)[number]; desc: boolean }[] = [];
    for (const v of values) {
      let name = v.replace(/^-+/, "");
      if (name === "connection_id") name = "conn_id";
      if (!(SORTABLE as readonly string[]).includes(name) || (this.before32 && name === "team_name")) {
        return detail(400, `Ordering with '${name}' is disallowed or the attribute does not exist on the model`);
      }
      orderBy.push({ key: name as (typeof SORTABLE)[number], desc: v.startsWith("-") });
    }
    const patterns = ctx.query.getAll("connection_id_pattern");
    const contains = patternMatcher(patterns.length ? patterns[patterns.length - 1]! : null, this.v33, this.before32);
    // 3.2.1 does not know connection_id_prefix_pattern: it is ignored there (api-behaviour.md §9)
    const prefixes = this.v33 ? ctx.query.getAll("connection_id_prefix_pattern") : [];
    const terms = prefixTerms(prefixes.length ? prefixes[prefixes.length - 1]! : null);
    const startsWith = terms ? (id: string) => terms.some((t) => id.startsWith(t)) : null;
    const match = contains && startsWith ? (lower: string, id: string) => contains(lower) && startsWith(id)
      : contains ? (lower: string) => contains(lower)
      : startsWith ? (_lower: string, id: string) => startsWith(id)
      : null;
    const { rows, total } = this.store.list(orderBy, match, offset, limit);
    return json(200, { connections: rows.map((c) => this.response(c)), total_entries: total });
  }

  /** ConnectionResponse of this version: before 3.2.0 it has no team_name (nine keys). */
  private response(c: StoredConnection): Partial<ReturnType<typeof toResponse>> {
    const r: Partial<ReturnType<typeof toResponse>> = toResponse(c, this.masker);
    if (this.before32) delete r.team_name;
    return r;
  }

  private getOne(id: string): Reply {
    const c = this.store.get(id);
    return c ? json(200, this.response(c)) : notFound(id);
  }

  private create(b: BodyParse): Reply {
    const v = this.connectionBody(b);
    if (!v.value) return e422(v.errors);
    if (this.store.has(v.value.connection_id)) return uniqueViolation();
    const conn = fromBody(v.value);
    checkColumnLimits(conn);
    return json(201, this.response(this.store.insert(conn)));
  }

  private patchOne(id: string, b: BodyParse, ctx: Ctx): Reply {
    const v = this.connectionBody(b);
    if (!v.value) return e422(v.errors);
    if (v.value.connection_id !== id) return detail(400, "The connection_id in the request body does not match the URL parameter");
    const old = this.store.get(id);
    if (!old) return notFound(id);
    const mask = ctx.query.getAll("update_mask");
    const fields = updateFields(old, v.value, mask.length ? mask : null, this.masker);
    checkColumnLimits({ ...old, ...fields });
    return json(200, this.response(this.store.update(id, fields)));
  }

  private deleteOne(id: string): Reply {
    if (!this.store.delete(id)) return notFound(id);
    return { status: 204 };
  }

  private bulk(b: BodyParse): Reply {
    if (b.kind === "none") return e422([missing(["body"], null), missing(["body"], null)]);
    const input = b.kind === "json" ? b.value : b.kind === "text" ? b.value : null;
    // may throw InternalServerError -> 500; an entity with a team while multi_team is off refuses the whole request
    const v = validateBulkBody(input, this.refuseTeam);
    if (!v.value) return e422([...v.errors, ...v.errors]); // declared twice: permission dependency + endpoint
    return json(200, runBulk(this.store, v.value, this.masker));
  }

  private testsEnabled(): boolean {
    return (this.opts.testConnection ?? "Disabled").toLowerCase().trim() === "enabled";
  }

  /** 3.3 POST /connections/enqueue-test: 422 body -> 403 gate -> 422 team / executor -> 409 active test -> 202. */
  private enqueueTest(b: BodyParse): Reply {
    if (b.kind === "none") return e422([missing(["body"], null)]);
    const input = b.kind === "json" ? b.value : b.kind === "text" ? b.value : null;
    const v = validateConnectionTestRequestBody(input, ["body"], this.refuseTeam);
    if (!v.value) return e422(v.errors);
    if (!this.testsEnabled()) return detail(403, TESTS_DISABLED);
    const { connection, executor, queue, commit_on_success } = v.value;
    const executors = this.opts.executors ?? ["LocalExecutor"];
    if (executor !== null && !executors.includes(executor)) {
      return detail(422, `Executor ${pyRepr(executor)} is not configured. Configured executors: ${pyListRepr(executors)}`);
    }
    if (this.workerTests.active(connection.connection_id)) {
      return detail(409, `An active connection test already exists for connection_id \`${connection.connection_id}\`.`);
    }
    const run = this.workerTests.enqueue(connection, { commit: commit_on_success, executor, queue });
    return json(202, { token: run.token, connection_id: run.connection_id, state: run.state });
  }

  /** 3.3 GET /connections/enqueue-test with the Airflow-Connection-Test-Token header. */
  private pollTest(ctx: Ctx): Reply {
    const h = ctx.headers[TOKEN_HEADER.toLowerCase()];
    if (h === undefined) return e422([missing(["header", TOKEN_HEADER], null)]);
    const token = Array.isArray(h) ? h[h.length - 1]! : h;
    const run = this.workerTests.get(token);
    if (!run) return detail(404, `No connection test found for token: \`${token}\``);
    return json(200, { token: run.token, connection_id: run.connection_id, state: run.state, result_message: run.result_message, created_at: run.created_at });
  }

  private test(b: BodyParse): Reply {
    const v = this.connectionBody(b);
    if (!v.value) return e422(v.errors);
    if (!this.testsEnabled()) return detail(403, TESTS_DISABLED);
    return json(200, testConnection(this.store, v.value, this.masker));
  }

  private defaults(): Reply {
    for (const c of defaultConnections()) if (!this.store.has(c.connection_id)) this.store.insert(c);
    return { status: 204 };
  }

  /** POST /auth/token (parse_login_body) and /auth/token/cli (a plain FastAPI JSON body). */
  private authToken(ctx: Ctx, cli: boolean): Reply {
    let creds: { username: string; password: string };
    const ct = String(ctx.headers["content-type"] ?? "");
    if (cli) {
      const b = parseBody(ctx.body, ctx.headers["content-type"]);
      if (b.kind === "invalid") return b.reply;
      if (b.kind === "none") return e422([missing(["body"], null)]);
      const v = validateLoginBody(b.value, ["body"]);
      if (!v.value) return e422(v.errors);
      creds = v.value;
    } else {
      let body: unknown;
      if (ct.startsWith("application/json")) {
        const r = pyJsonParse(ctx.body.toString("utf8"));
        if (!r.ok) return plain500();
        body = r.value;
      } else if (ct.startsWith("application/x-www-form-urlencoded")) {
        body = Object.fromEntries(new URLSearchParams(ctx.body.toString("utf8")));
      } else return detail(415, "Unsupported Media Type");
      if (!isObject(body)) return plain500(); // LoginBody(**body) -> TypeError
      const v = validateLoginBody(body, ["body"]);
      if (!v.value) return detail(422, pydanticRepr("LoginBody", v.errors));
      creds = v.value;
    }
    if (!creds.username || !creds.password) return detail(400, "Username and password must be provided");
    if (!Object.prototype.hasOwnProperty.call(this.users, creds.username) || this.users[creds.username] !== creds.password) {
      return detail(401, "Invalid credentials");
    }
    const ttl = cli ? 3600 : this.opts.tokenTtlSeconds ?? 86400;
    return json(201, { access_token: this.jwt.sign(creds.username, ttl) });
  }
}

function faultStatus(status: number, headers: Record<string, string>): Reply {
  const text = http.STATUS_CODES[status] ?? "Error";
  if (status === 502 || status === 503 || status === 504) {
    return {
      status, headers, type: HTML_TYPE,
      body: `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    };
  }
  return detail(status, text, headers);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function plainCopy(c: StoredConnection): StoredConnection {
  return {
    id: c.id, connection_id: c.connection_id, conn_type: c.conn_type, description: c.description, host: c.host,
    login: c.login, schema: c.schema, port: c.port, password: c.password, extra: c.extra, team_name: c.team_name,
  };
}

export async function startFakeAirflow(opts: FakeAirflowOptions = {}): Promise<FakeAirflow> {
  const s = new FakeAirflowServer(opts);
  await s.listen();
  return s;
}
