// The flags and the rendering of connection tests on a worker (Airflow 3.3), shared by `test --on-worker` and
// `create --test-first`: --executor, --queue, --wait, and the spinner that shows a test's state. The protocol (the
// version gate, enqueue, the poll loop, its errors) is api/connection-test.ts's.
import type { Command } from "commander";
import type { Deps } from "../deps.js";
import { UsageError } from "../errors.js";
import { DEFAULT_WAIT_S, type TestReporter } from "../api/connection-test.js";

/** --wait's parser: seconds, more than 0, at most a day. */
export const waitArg = (v: string): number => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > 86400)
    throw new UsageError(`--wait takes seconds (more than 0, at most 86400), got "${v}"`);
  return n;
};

/** The flags of a test on a worker, as a command's run gets them. */
export interface WorkerFlags {
  executor?: string;
  queue?: string;
  /** Seconds to wait for the result. */
  wait?: number;
}

/**
 * Adds --executor, --queue and --wait (seconds, parsed by waitArg): one definition for `test --on-worker` and
 * `create --test-first`. `when` starts each description ("with --on-worker"); `waitWhen` that of --wait.
 */
export function addWorkerOptions(cmd: Command, when: string, waitWhen = when): Command {
  return cmd
    .option("--executor <name>", `${when}: the executor to run the test (default: the server's)`)
    .option("--queue <name>", `${when}: the queue to run the test on`)
    .option("--wait <seconds>", `${waitWhen}: how long to wait for the result (default ${DEFAULT_WAIT_S})`, waitArg);
}

/** Which of --executor, --queue, --wait were given, in that order. */
export const workerFlagsGiven = (o: WorkerFlags): string[] =>
  [
    o.executor !== undefined && "--executor",
    o.queue !== undefined && "--queue",
    o.wait !== undefined && "--wait",
  ].filter((f): f is string => f !== false);

/** A usage error when worker flags are given without the flag that makes the test run on a worker. */
export function refuseWorkerFlagsWithout(given: string[], needs: string, hint?: string): void {
  if (given.length) throw new UsageError(`${given.join(", ")} ${given.length === 1 ? "needs" : "need"} ${needs}`, hint);
}

/** A spinner on stderr (a terminal only) showing a label and the state; `-v` prints each state change instead. */
export function stateReporter(d: Deps, label: string): TestReporter {
  if (d.globals.verbose) return { onState: (s) => d.io.err(`* ${label}: ${s}\n`), stop: () => {} };
  if (!d.io.stderrIsTTY) return { onState: () => {}, stop: () => {} };
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let state = "pending",
    i = 0;
  const started = d.now();
  const draw = () =>
    d.io.err(`\r\x1b[K${frames[i++ % frames.length]} ${label}: ${state} (${Math.round((d.now() - started) / 1000)} s)`);
  draw();
  const timer = setInterval(draw, 120);
  timer.unref?.();
  return {
    onState: (s) => {
      state = s;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      d.io.err("\r\x1b[K");
    },
  };
}
