// Airflow 3.3's connection tests on a worker (POST/GET /connections/enqueue-test, api-behaviour.md §9):
// a request row moves pending -> queued -> running -> success | failed, driven by a simulated scheduler.
import { randomBytes } from "node:crypto";
import { connectionUnderTest, HANGING_HOST, hookTest, updateFields } from "./connections.js";
import type { Masker } from "./redact.js";
import type { NewConnection, Store } from "./store.js";
import type { ConnectionBody } from "./validate.js";

export type TestState = "pending" | "queued" | "running" | "success" | "failed";
export const TERMINAL: readonly TestState[] = ["success", "failed"];

export interface ConnectionTestRun {
  token: string;
  connection_id: string;
  state: TestState;
  result_message: string | null;
  created_at: string;
  executor: string | null;
  queue: string | null;
  commit_on_success: boolean;
  /** every state it went through, in order; `step` counts state changes of all tests (a logical clock) */
  history: { state: TestState; step: number }[];
}

interface Run extends ConnectionTestRun {
  conn: NewConnection;
  body: ConnectionBody;
  seq: number;
  /** the scheduler has seen it (one phase after creation) */
  eligible: boolean;
}

export interface WorkerTestOptions {
  /** total time of an uncontended test: three equal phases pending -> queued -> running -> done */
  durationMs: number;
  /** [scheduler] max_connection_test_concurrency: at most this many queued or running */
  maxConcurrency: number;
  /** connection_test_timeout + grace period: an active test older than this is failed by the reaper */
  timeoutMs: number;
  masker: Masker;
  /** Time moves only in advance(ms) (a test's fake clock), not with the wall clock. Default false */
  manualClock?: boolean;
}

/** Python's datetime.isoformat() of a UTC timestamp as pydantic serialises it: microseconds and "Z". */
function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function timeoutMessage(timeoutMs: number): string {
  return `Connection test timed out: no result after ${Math.round(timeoutMs / 1000)} seconds`;
}

export class WorkerTests {
  private readonly runs = new Map<string, Run>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private step = 0;
  /** manualClock: the current time, and the timers not yet due (fired in due order, then creation order) */
  private clock = Date.now();
  private manual: { due: number; n: number; f: () => void }[] = [];
  private timerSeq = 0;

  constructor(
    private readonly store: Store,
    private readonly o: WorkerTestOptions,
  ) {}

  /** A test of this connection id that has not finished yet (-> 409). */
  active(connectionId: string): ConnectionTestRun | undefined {
    for (const r of this.runs.values()) if (r.connection_id === connectionId && !TERMINAL.includes(r.state)) return r;
    return undefined;
  }

  get(token: string): ConnectionTestRun | undefined {
    return this.runs.get(token);
  }

  all(): ConnectionTestRun[] {
    return [...this.runs.values()].sort((a, b) => a.seq - b.seq).map(publicCopy);
  }

  enqueue(
    body: ConnectionBody,
    o: { commit: boolean; executor: string | null; queue: string | null },
  ): ConnectionTestRun {
    const now = this.o.manualClock ? this.clock : Date.now();
    const run: Run = {
      token: randomBytes(32).toString("base64url"),
      connection_id: body.connection_id,
      state: "pending",
      result_message: null,
      created_at: isoMicros(now),
      executor: o.executor,
      queue: o.queue,
      commit_on_success: o.commit,
      history: [{ state: "pending", step: ++this.step }],
      conn: connectionUnderTest(this.store, body, this.o.masker),
      body,
      seq: ++this.seq,
      eligible: false,
    };
    this.runs.set(run.token, run);
    this.after(this.phase(), () => {
      run.eligible = true;
      this.pump();
    });
    this.after(this.o.timeoutMs, () => {
      if (TERMINAL.includes(run.state)) return;
      this.finish(run, "failed", timeoutMessage(this.o.timeoutMs));
    });
    return publicCopy(run);
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.manual = [];
    this.runs.clear();
  }

  /** manualClock: moves time on by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!this.o.manualClock) throw new Error("advance() needs the manualClock option");
    const target = this.clock + Math.max(0, ms);
    for (;;) {
      let next: (typeof this.manual)[number] | undefined;
      for (const t of this.manual)
        if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.n < next.n))) next = t;
      if (!next) break;
      this.manual.splice(this.manual.indexOf(next), 1);
      this.clock = next.due;
      next.f();
    }
    this.clock = target;
  }

  private phase(): number {
    return Math.max(0, Math.round(this.o.durationMs / 3));
  }

  private after(ms: number, f: () => void): void {
    if (this.o.manualClock) {
      this.manual.push({ due: this.clock + ms, n: ++this.timerSeq, f });
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private set(run: Run, s: TestState): void {
    run.state = s;
    run.history.push({ state: s, step: ++this.step });
  }

  /** The scheduler: dispatch eligible pending tests, oldest first, while fewer than maxConcurrency are active. */
  private pump(): void {
    let busy = [...this.runs.values()].filter((r) => r.state === "queued" || r.state === "running").length;
    const waiting = [...this.runs.values()]
      .filter((r) => r.state === "pending" && r.eligible)
      .sort((a, b) => a.seq - b.seq);
    for (const run of waiting) {
      if (busy >= this.o.maxConcurrency) break;
      busy++;
      this.set(run, "queued");
      this.after(this.phase(), () => {
        if (run.state !== "queued") return;
        this.set(run, "running");
        if (run.conn.host === HANGING_HOST) return; // the hook never returns; the reaper fails it
        this.after(this.phase(), () => {
          if (run.state !== "running") return;
          const r = hookTest(run.conn);
          this.finish(run, r.status ? "success" : "failed", r.message);
        });
      });
    }
  }

  private finish(run: Run, s: "success" | "failed", message: string): void {
    this.set(run, s);
    run.result_message = message;
    if (s === "success" && run.commit_on_success) this.commit(run);
    this.pump();
  }

  /** commit_on_success: save the tested connection, or update the stored one (PATCH rules without a mask). */
  private commit(run: Run): void {
    const current = this.store.get(run.connection_id);
    if (current) this.store.update(run.connection_id, updateFields(current, run.body, null, this.o.masker));
    else this.store.insert(run.conn);
  }
}

function publicCopy(r: ConnectionTestRun): ConnectionTestRun {
  return {
    token: r.token,
    connection_id: r.connection_id,
    state: r.state,
    result_message: r.result_message,
    created_at: r.created_at,
    executor: r.executor,
    queue: r.queue,
    commit_on_success: r.commit_on_success,
    history: r.history.map((h) => ({ ...h })),
  };
}
