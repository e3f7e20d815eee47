// Shared by the in-process command tests (test/unit/commands/<command>.test.ts): a scripted Prompter, the local fake
// Airflow started per test (it records every request), a runner that turns a thrown error into the exit code main()
// would return, a fake clock, and the admin helpers (seed, listIds) shared with the end-to-end tests. The command
// tests import the local server only through this file.
import {
  startFakeAirflow,
  UNREACHABLE_HOST,
  type FakeAirflow,
  type FakeAirflowOptions,
  type RecordedRequest,
  type SeedConnection,
} from "@airconn/fake-airflow";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeps, type Deps, type GlobalOptions } from "../../src/deps.js";
import { testIO, type TestIO } from "../../src/output/io.js";
import { report } from "../../src/cli.js";
import { CancelledError } from "../../src/errors.js";
import type { Choice, Prompter } from "../../src/prompts/prompter.js";

export { UNREACHABLE_HOST };
export type { FakeAirflow, FakeAirflowOptions, RecordedRequest, SeedConnection };
export { asAdmin, listIds, seed } from "../support/admin.js";

export const CANCEL = Symbol("cancel");
export type Answer = string | boolean | typeof CANCEL;

/**
 * A Prompter answering from a script; records each question (with the default it showed, and validation messages).
 * As at a terminal, an empty answer to an input or a select with a default is the default. A search answer is the
 * text typed: the choice named or valued so, else the first choice listed for it ("" picks the default, else the first).
 */
export function fakePrompter(answers: Answer[]) {
  const asked: Array<{ kind: string; message: string; choices?: string[]; default?: unknown }> = [];
  const rejected: string[] = [];
  const next = (kind: string, message: string): Answer => {
    if (!answers.length) throw new Error(`unexpected ${kind} prompt: ${message}`);
    const a = answers.shift()!;
    if (a === CANCEL) throw new CancelledError("cancelled");
    return a;
  };
  const prompter: Prompter = {
    async input(o) {
      asked.push({ kind: "input", message: o.message, default: o.default });
      for (;;) {
        const typed = String(next("input", o.message));
        const a = typed === "" && o.default !== undefined ? o.default : typed;
        const v = o.validate?.(a);
        if (v !== undefined && v !== true) {
          rejected.push(v);
          asked.push({ kind: "input", message: o.message, default: o.default });
          continue;
        }
        return a;
      }
    },
    async password(o) {
      asked.push({ kind: "password", message: o.message });
      return String(next("password", o.message));
    },
    async select<T>(o: { message: string; choices: Array<Choice<T>>; default?: T }) {
      asked.push({ kind: "select", message: o.message, choices: o.choices.map((c) => c.name), default: o.default });
      const a = next("select", o.message);
      const c =
        a === "" && o.default !== undefined
          ? o.choices.find((x) => x.value === o.default)
          : o.choices.find((x) => x.name === a || String(x.value) === a);
      if (!c) throw new Error(`no choice ${String(a)}`);
      return c.value;
    },
    async confirm(o) {
      asked.push({ kind: "confirm", message: o.message });
      return Boolean(next("confirm", o.message));
    },
    async search<T>(o: { message: string; source: (term: string | undefined) => Array<Choice<T>>; default?: T }) {
      const all = o.source(undefined);
      asked.push({ kind: "search", message: o.message, choices: all.map((c) => c.name), default: o.default });
      const a = String(next("search", o.message));
      const listed = a === "" ? all : o.source(a);
      const c =
        (a === "" ? listed.find((x) => o.default !== undefined && x.value === o.default) : undefined) ??
        listed.find((x) => x.name === a || String(x.value) === a) ??
        listed[0];
      if (!c) throw new Error(`no choice for ${JSON.stringify(a)} at ${o.message}`);
      return c.value;
    },
  };
  return { prompter, asked, rejected, left: () => answers.length };
}

const started = new Set<FakeAirflow>();

/** The local fake Airflow with a filter over the requests it recorded. */
export type Airflow = FakeAirflow & {
  /** Requests other than GETs (the writes and the tests). */
  writes(): RecordedRequest[];
};

/**
 * Starts the local fake Airflow (packages/fake-airflow: the project's one Airflow-compatible server, checked by the
 * conformance script) holding `connections`, with testing enabled; `o` overrides any of its options (version,
 * faults, latency, worker tests...). Close it with closeAirflows() in afterEach.
 */
export async function fakeAirflow(connections: SeedConnection[] = [], o: FakeAirflowOptions = {}): Promise<Airflow> {
  const fake = await startFakeAirflow({ testConnection: "Enabled", connections, ...o });
  started.add(fake);
  return Object.assign(fake, { writes: () => fake.requests.filter((q) => q.method !== "GET") });
}

/**
 * Airflow 3.3.2 with testing enabled and a manual clock (see clock()). A test on a worker takes 1.5 s of that clock:
 * pending, after 0.5 s queued, after 1 s running, after 1.5 s its result (one state per poll at airconn's 0.5 s,
 * 0.75 s, 1.125 s backoff).
 */
export const airflow33 = (connections: SeedConnection[] = [], o: FakeAirflowOptions = {}) =>
  fakeAirflow(connections, { airflowVersion: "3.3.2", manualClock: true, connectionTestMs: 1500, ...o });
/** Airflow 3.2.1 with testing enabled. */
export const airflow32 = (connections: SeedConnection[] = [], o: FakeAirflowOptions = {}) =>
  fakeAirflow(connections, { airflowVersion: "3.2.1", ...o });

/** A fake clock for setup(): sleep advances it, and the server's worker tests with it (manualClock), instead of waiting. */
export function clock(af?: FakeAirflow) {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
      af?.advanceClock(ms);
    },
    slept,
  };
}

/** A setup whose second wait is Ctrl-C: the deps' signal fires, and `run` reports the error as main would. */
export function interrupted(af: FakeAirflow): Setup {
  const ctl = new AbortController();
  let calls = 0;
  return setup({
    airflow: af,
    signal: ctl.signal,
    now: () => 0,
    sleep: async () => {
      if (++calls >= 2) {
        ctl.abort();
        throw new Error("aborted");
      }
    },
  });
}

/** A stored connection without its primary key, for comparing field values. */
export const storedFields = <T extends { id: unknown }>(c: T | undefined): Omit<T, "id"> | undefined => {
  if (!c) return c;
  const { id: _pk, ...rest } = c;
  return rest;
};

/** The bulk requests (PATCH /api/v2/connections) this server received from `from` on, as entities per request. */
export const bulkSizes = (af: FakeAirflow, from = 0): number[] =>
  af.requests
    .filter((r) => r.method === "PATCH" && r.path === "/api/v2/connections")
    .slice(from)
    .map((r) =>
      (r.json as { actions: Array<{ entities: unknown[] }> }).actions.reduce((n, a) => n + a.entities.length, 0),
    );

/** The 3.3 worker tests airconn (or anyone) enqueued on this server: POST .../enqueue-test. */
export const enqueues = (af: FakeAirflow): RecordedRequest[] =>
  af.requests.filter((q) => q.method === "POST" && q.path.endsWith("/enqueue-test"));

/** What a test of a connection at UNREACHABLE_HOST (no port) says: nothing listens there. */
export const REFUSED = `[Errno 111] Connection refused: could not connect to ${UNREACHABLE_HOST}`;

/** A string as a regular expression that matches it literally. */
export const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const folders = new Set<string>();

/** A fresh, empty folder (for AIRCONN_CONFIG_DIR, or for files a command reads or writes); closeAirflows() removes it. */
export function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "airconn-unit-"));
  folders.add(dir);
  return dir;
}

/** Writes `text` to a file `name` in a fresh temporary folder; returns its path. */
export function tempFile(name: string, text: string): string {
  const file = join(tempFolder(), name);
  writeFileSync(file, text);
  return file;
}

/** The profiles file (config.json) as tests write and read it. */
export interface ConfigData {
  current_profile?: string;
  profiles: Record<string, Record<string, unknown>>;
}

/** A fresh config folder (for AIRCONN_CONFIG_DIR), holding `data` as its config.json (0600) when given. */
export function configFolder(data?: ConfigData): string {
  const dir = tempFolder();
  if (data) writeFileSync(join(dir, "config.json"), JSON.stringify(data), { mode: 0o600 });
  return dir;
}

/** The config.json a command left in a config folder (throws when there is none). */
export const readConfig = (dir: string): ConfigData =>
  JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as ConfigData;

/** setup() with its own config folder and no AIRCONN_API_URL/AIRCONN_TOKEN: the profiles (and `o`) alone decide. */
export const inConfig = (
  airflow: FakeAirflow,
  dir: string,
  o: Omit<Parameters<typeof setup>[0], "airflow"> = {},
): Setup =>
  setup({ airflow, ...o, env: { AIRCONN_CONFIG_DIR: dir, AIRCONN_API_URL: "", AIRCONN_TOKEN: "", ...o.env } });

/** Stops every server fakeAirflow started and removes every folder tempFolder() made. */
export async function closeAirflows(): Promise<void> {
  const all = [...started];
  started.clear();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  folders.clear();
  await Promise.all(all.map((f) => f.close()));
}

export interface Setup {
  io: TestIO;
  deps: Deps;
  /** Runs a command's run() and returns the exit code main() would give (errors printed to io like main does). */
  run(fn: (d: Deps) => Promise<void>): Promise<number>;
}

export function setup(o: {
  airflow: FakeAirflow;
  tty?: boolean;
  stdin?: string;
  prompter?: Prompter;
  globals?: GlobalOptions;
  env?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Ctrl-C: the deps' signal, which main's report also reads (exit 130). */
  signal?: AbortSignal;
}): Setup {
  const io = testIO({ stdinTTY: o.tty, stdoutTTY: o.tty, stderrTTY: o.tty, stdin: o.stdin });
  const deps = createDeps({
    io,
    // The cache folder cannot exist (not even for root): every test reads the server's version afresh.
    env: {
      AIRCONN_API_URL: o.airflow.url,
      AIRCONN_TOKEN: o.airflow.adminToken,
      AIRCONN_CONFIG_DIR: "/nonexistent/airconn-test",
      XDG_CACHE_HOME: "/dev/null/airconn-cache",
      ...o.env,
    },
    globals: { retries: 0, ...o.globals },
    prompter: o.prompter ?? fakePrompter([]).prompter,
    sleep: o.sleep,
    now: o.now,
    signal: o.signal,
  });
  return {
    io,
    deps,
    async run(fn) {
      try {
        await fn(deps);
        return 0;
      } catch (e) {
        return report(e, io, o.signal);
      }
    },
  };
}
