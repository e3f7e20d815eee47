// Shared by the write-command unit tests: a scripted Prompter, an in-memory Airflow behind undici's MockAgent that
// records every request, and a runner that turns a thrown error into the exit code main() would return.
import { MockAgent } from "undici";
import { createDeps, type Deps, type GlobalOptions } from "../../src/deps.js";
import { testIO, type TestIO } from "../../src/output/io.js";
import { report } from "../../src/cli.js";
import { CancelledError } from "../../src/errors.js";
import type { Choice, Prompter } from "../../src/prompts/prompter.js";
import type { ConnectionResponse } from "../../src/api/types.js";

export const BASE = "http://localhost:28080";

export interface Req { method: string; path: string; query: URLSearchParams; body: unknown; at: number; headers?: Record<string, string> }
export type Reply = { status: number; body?: unknown };

export const CANCEL = Symbol("cancel");
export type Answer = string | boolean | typeof CANCEL;

/** A Prompter answering from a script; records each question (and validation messages shown). */
export function fakePrompter(answers: Answer[]) {
  const asked: Array<{ kind: string; message: string; choices?: string[] }> = [];
  const rejected: string[] = [];
  const next = (kind: string, message: string): Answer => {
    if (!answers.length) throw new Error(`unexpected ${kind} prompt: ${message}`);
    const a = answers.shift()!;
    if (a === CANCEL) throw new CancelledError("cancelled");
    return a;
  };
  const prompter: Prompter = {
    async input(o) {
      asked.push({ kind: "input", message: o.message });
      for (;;) {
        const a = String(next("input", o.message));
        const v = o.validate?.(a);
        if (v !== undefined && v !== true) { rejected.push(v); asked.push({ kind: "input", message: o.message }); continue; }
        return a;
      }
    },
    async password(o) {
      asked.push({ kind: "password", message: o.message });
      return String(next("password", o.message));
    },
    async select<T>(o: { message: string; choices: Array<Choice<T>>; default?: T }) {
      asked.push({ kind: "select", message: o.message, choices: o.choices.map((c) => c.name) });
      const a = next("select", o.message);
      const c = o.choices.find((x) => x.name === a || String(x.value) === a);
      if (!c) throw new Error(`no choice ${String(a)}`);
      return c.value;
    },
    async confirm(o) {
      asked.push({ kind: "confirm", message: o.message });
      return Boolean(next("confirm", o.message));
    },
  };
  return { prompter, asked, rejected, left: () => answers.length };
}

const conn = (c: Partial<ConnectionResponse> & { connection_id: string }): ConnectionResponse => ({
  conn_type: "generic", description: null, host: null, login: null, schema: null, port: null, password: null, extra: null, team_name: null, ...c,
});

/**
 * A small Airflow: GET/POST/PATCH/DELETE /connections, /connections/test and /connections/defaults, with the
 * server's PATCH rules (update_mask, "***" keeps the password). `override` answers first when it returns a Reply.
 */
export function memoryAirflow(seed: Array<Partial<ConnectionResponse> & { connection_id: string }> = [], override?: (r: Req) => Reply | undefined, o: { delayMs?: number } = {}) {
  const store = new Map<string, ConnectionResponse>(seed.map((c) => [c.connection_id, conn(c)]));
  const requests: Req[] = [];
  const agent = new MockAgent();
  agent.disableNetConnect();
  const redact = (c: ConnectionResponse): ConnectionResponse => ({ ...c, password: c.password ? "***" : null });
  const notFound = (id: string): Reply => ({ status: 404, body: { detail: `The Connection with connection_id: \`${id}\` was not found` } });
  const handle = (r: Req): Reply => {
    const o = override?.(r);
    if (o) return o;
    const m = /^\/api\/v2\/connections(?:\/(.+))?$/.exec(r.path);
    if (!m) return { status: 404, body: { error: "API route not found" } };
    const sub = m[1] ? decodeURIComponent(m[1]) : undefined;
    const body = r.body as Record<string, unknown>;
    if (r.method === "GET" && sub === undefined) {
      const all = [...store.values()].map(redact);
      const off = Number(r.query.get("offset") ?? 0), lim = Number(r.query.get("limit") ?? 50);
      return { status: 200, body: { connections: all.slice(off, off + lim), total_entries: all.length } };
    }
    if (r.method === "POST" && sub === "test") return { status: 200, body: { status: true, message: "Connection successfully tested" } };
    if (r.method === "POST" && sub === "defaults") {
      for (const id of ["http_default", "postgres_default", "aws_default"]) if (!store.has(id)) store.set(id, conn({ connection_id: id }));
      return { status: 204 };
    }
    if (r.method === "POST" && sub === undefined) {
      const id = String(body.connection_id);
      if (store.has(id)) return { status: 409, body: { detail: { reason: "Unique constraint violation", statement: "hidden", orig_error: "hidden", message: "Serious error" } } };
      store.set(id, conn({ ...(body as Partial<ConnectionResponse>), connection_id: id, password: (body.password as string) || null }));
      return { status: 201, body: redact(store.get(id)!) };
    }
    if (sub === undefined) return { status: 405, body: { detail: "Method Not Allowed" } };
    const cur = store.get(sub);
    if (!cur) return notFound(sub);
    if (r.method === "GET") return { status: 200, body: redact(cur) };
    if (r.method === "DELETE") { store.delete(sub); return { status: 204 }; }
    if (r.method === "PATCH") {
      const mask = r.query.getAll("update_mask");
      const next = { ...cur };
      for (const [k, v] of Object.entries(body)) {
        if (k === "connection_id" || (mask.length && !mask.includes(k))) continue;
        if (k === "password") { if (v && v !== "***") next.password = v as string; continue; }
        (next as Record<string, unknown>)[k] = v;
      }
      store.set(sub, next);
      return { status: 200, body: redact(next) };
    }
    return { status: 405, body: { detail: "Method Not Allowed" } };
  };
  const scope = agent.get(BASE).intercept({ path: () => true, method: () => true }).reply((o) => {
    const url = new URL(String(o.path), BASE);
    const text = o.body === undefined || o.body === null ? "" : String(o.body);
    const headers = Object.fromEntries(Object.entries((o.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const req: Req = { method: String(o.method), path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined, at: performance.now(), headers };
    requests.push(req);
    const rep = handle(req);
    return {
      statusCode: rep.status,
      data: rep.body === undefined ? "" : JSON.stringify(rep.body),
      responseOptions: { headers: { "content-type": "application/json" } },
    };
  });
  if (o.delayMs) scope.delay(o.delayMs);
  scope.persist();
  /** Requests other than the GET /connections listings. */
  const writes = () => requests.filter((q) => q.method !== "GET");
  return { agent, requests, store, writes };
}

export interface Setup {
  io: TestIO;
  deps: Deps;
  /** Runs a command's run() and returns the exit code main() would give (errors printed to io like main does). */
  run(fn: (d: Deps) => Promise<void>): Promise<number>;
}

export function setup(o: {
  airflow: ReturnType<typeof memoryAirflow>;
  tty?: boolean;
  stdin?: string;
  prompter?: Prompter;
  globals?: GlobalOptions;
  env?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}): Setup {
  const io = testIO({ stdinTTY: o.tty, stdoutTTY: o.tty, stderrTTY: o.tty, stdin: o.stdin });
  const deps = createDeps({
    io,
    // The cache folder cannot exist (not even for root): every test reads the server's version afresh.
    env: { AIRCONN_API_URL: BASE, AIRCONN_TOKEN: "test-token", AIRCONN_CONFIG_DIR: "/nonexistent/airconn-test", XDG_CACHE_HOME: "/dev/null/airconn-cache", ...o.env },
    globals: { retries: 0, ...o.globals },
    dispatcher: o.airflow.agent,
    prompter: o.prompter ?? fakePrompter([]).prompter,
    sleep: o.sleep,
    now: o.now,
  });
  return {
    io, deps,
    async run(fn) {
      try { await fn(deps); return 0; } catch (e) { return report(e, io); }
    },
  };
}
