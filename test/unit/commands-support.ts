// Shared by the write-command unit tests: a scripted Prompter, the local fake Airflow started per test (it records
// every request), and a runner that turns a thrown error into the exit code main() would return.
import { startFakeAirflow, type FakeAirflow, type FakeAirflowOptions, type RecordedRequest, type SeedConnection } from "../fake-airflow/server.js";
import { createDeps, type Deps, type GlobalOptions } from "../../src/deps.js";
import { testIO, type TestIO } from "../../src/output/io.js";
import { report } from "../../src/cli.js";
import { CancelledError } from "../../src/errors.js";
import type { Choice, Prompter } from "../../src/prompts/prompter.js";

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

const started = new Set<FakeAirflow>();

/** The local fake Airflow with a filter over the requests it recorded. */
export type Airflow = FakeAirflow & {
  /** Requests other than GETs (the writes and the tests). */
  writes(): RecordedRequest[];
};

/**
 * Starts the local fake Airflow (test/fake-airflow: the project's one Airflow-compatible server, checked by the
 * conformance script) holding `connections`, with testing enabled; `o` overrides any of its options (version,
 * faults, latency, worker tests...). Close it with closeAirflows() in afterEach.
 */
export async function fakeAirflow(connections: SeedConnection[] = [], o: FakeAirflowOptions = {}): Promise<Airflow> {
  const fake = await startFakeAirflow({ testConnection: "Enabled", connections, ...o });
  started.add(fake);
  return Object.assign(fake, { writes: () => fake.requests.filter((q) => q.method !== "GET") });
}

/** Stops every server fakeAirflow started. */
export async function closeAirflows(): Promise<void> {
  const all = [...started];
  started.clear();
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
    env: { AIRCONN_API_URL: o.airflow.url, AIRCONN_TOKEN: o.airflow.adminToken, AIRCONN_CONFIG_DIR: "/nonexistent/airconn-test", XDG_CACHE_HOME: "/dev/null/airconn-cache", ...o.env },
    globals: { retries: 0, ...o.globals },
    prompter: o.prompter ?? fakePrompter([]).prompter,
    sleep: o.sleep,
    now: o.now,
    signal: o.signal,
  });
  return {
    io, deps,
    async run(fn) {
      try { await fn(deps); return 0; } catch (e) { return report(e, io, o.signal); }
    },
  };
}
