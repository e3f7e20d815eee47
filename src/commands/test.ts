import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import type { Deps } from "../deps.js";
import { AirconnError, EXIT, isFatal, oneLine, PartialFailureError, UsageError } from "../errors.js";
import type { ConnectionBody, ConnectionResponse, ConnectionTestResponse } from "../api/types.js";
import {
  awaitResult,
  DEFAULT_WAIT_S,
  requireWorkerTests,
  resumeHint,
  testOnApiServer,
  TestsDisabledError,
  workerTest,
  WORKER_CONCURRENCY,
  type WorkerResult,
} from "../api/connection-test.js";
import { storedTestBody, storedWorkerBody } from "../connection/keep.js";
import { render } from "../output/render.js";
import { airflowServer, checkConnectionId, examples } from "./common.js";
import { patternMatcher } from "../util/pattern.js";
import { runPool } from "../util/pool.js";
import { addFieldOptions, fieldsFromFlags, givenFlags, type FieldOptions, type Fields } from "./fields.js";
import { addStrictOption, checkOneExtra, type StrictOption } from "./extras.js";
import {
  addWorkerOptions,
  refuseWorkerFlagsWithout,
  stateReporter,
  workerFlagsGiven,
  type WorkerFlags,
} from "./worker.js";

export interface TestOptions extends FieldOptions, WorkerFlags, StrictOption {
  /** One connection id (kept for callers that test one). */
  id?: string;
  /** Several stored connections. */
  ids?: string[];
  uri?: string;
  pattern?: string;
  prefix?: string;
  onWorker?: boolean;
  poll?: string;
}

/** Adds the command; `run` is what its action calls (tests pass a spy to check the parsed flags alone). */
export function register(program: Command, ctx: CommandContext, run = runTest): void {
  const cmd = program
    .command("test")
    .description(
      "test stored connections, or an unsaved one given by --uri or field flags; on the API server, or with --on-worker on a worker (Airflow 3.3); exit 0 only when every test passed",
    )
    .argument(
      "[connection-id...]",
      "stored connections (their stored secrets are used on the API server), or the id to give an unsaved one",
    );
  addFieldOptions(cmd)
    .option("--uri <uri>", "test this connection URI instead of a stored connection")
    .option("--pattern <pattern>", "test every stored connection whose id matches (as in list)")
    .option(
      "--prefix <prefix>",
      "test every stored connection whose id starts with this (as in list; with --pattern: both)",
    )
    .option(
      "--on-worker",
      "run the test on a worker (Airflow 3.3: POST /connections/enqueue-test), polled until it ends",
    );
  addStrictOption(cmd);
  addWorkerOptions(cmd, "with --on-worker", "with --on-worker or --poll")
    .option("--poll <token>", "wait for the result of a worker test started before (the token it printed)")
    .addHelpText(
      "after",
      examples([
        "$ airconn test my_postgres                            # ok: Connection successfully tested",
        "$ airconn test my_postgres --host db-replica          # the stored connection with another host",
        "$ airconn test --type http --host api.example.com --port 443",
        "$ airconn test my_postgres --on-worker --queue etl    # Airflow 3.3: on a worker, with a spinner on a terminal",
        "$ airconn test --prefix prod_ --on-worker             # several, 4 at a time: a table of id, result, message",
        "$ airconn test --poll Zm9v...                         # the result of a worker test that outlived --wait",
        "",
        "In CI:",
        "$ airconn test my_postgres -o json || echo 'my_postgres is broken'",
        "$ airconn test --pattern %customer_% -o json > results.json   # exit 1 when any failed",
        '$ printf %s "$PW" | airconn test --uri postgres://app@db:5432/sales --password-stdin',
        "",
        "The server must allow testing: AIRFLOW__CORE__TEST_CONNECTION=Enabled (Airflow's default is Disabled).",
        "A worker test of a stored connection is sent without its secrets: the API shows them as *** and the worker",
        "would use *** as they are; give the password with --password-stdin to test with it.",
        "Exit codes: 0 every test passed, 1 a test failed (or testing is disabled, or --wait ran out), 2 invalid input",
        "(also an executor the server does not know, or --on-worker against Airflow before 3.3), 3 not found,",
        "4 not allowed, 5 a test of that connection is already running on the server, 130 interrupted.",
      ]),
    )
    .action(async (ids: string[], o: TestOptions, c: Command) => run({ ...o, ids }, ctx.deps(c)));
}

export async function runTest(o: TestOptions, d: Deps): Promise<void> {
  const ids = [...new Set(o.ids?.length ? o.ids : o.id !== undefined ? [o.id] : [])];
  const flags = givenFlags(o);
  // --wait also bounds --poll
  if (!o.onWorker)
    refuseWorkerFlagsWithout(
      workerFlagsGiven({ ...o, wait: o.poll === undefined ? o.wait : undefined }),
      "--on-worker",
    );
  const waitMs = (o.wait ?? DEFAULT_WAIT_S) * 1000;
  if (o.poll !== undefined) {
    if (
      ids.length ||
      flags.length ||
      o.uri !== undefined ||
      o.pattern !== undefined ||
      o.prefix !== undefined ||
      o.onWorker
    ) {
      throw new UsageError(
        "--poll TOKEN takes no connection, --uri, --pattern, --prefix, field flags or --on-worker: the test is already running",
      );
    }
    if (o.poll.trim() === "") throw new UsageError("--poll needs the token a worker test printed");
    return runPoll(o.poll.trim(), waitMs, d);
  }
  const many = ids.length > 1 || o.pattern !== undefined || o.prefix !== undefined;
  if (many) {
    if (o.uri !== undefined || flags.length)
      throw new UsageError(
        `${o.uri !== undefined ? "--uri" : flags.join(", ")} can only be used when testing one connection`,
      );
    if (ids.length && (o.pattern !== undefined || o.prefix !== undefined))
      throw new UsageError("give connection ids or --pattern/--prefix, not both");
    for (const id of ids) checkConnectionId(id);
    return runMany(ids, o, waitMs, d);
  }
  return runOne(ids[0], o, waitMs, d);
}

async function runOne(rawId: string | undefined, o: TestOptions, waitMs: number, d: Deps): Promise<void> {
  const flags = givenFlags(o);
  if (o.uri !== undefined) {
    const bad = flags.filter((f) => !["--description", "--team", "--password-stdin", "--password"].includes(f));
    if (bad.length) throw new UsageError(`${bad.join(", ")} cannot be combined with --uri`);
  }
  const fields = await fieldsFromFlags(o, d);
  const id = rawId !== undefined ? checkConnectionId(rawId) : undefined;
  const out = d.output();
  if (o.onWorker) await requireWorkerTests(await airflowServer(d));
  const api = await d.api();
  let body: ConnectionBody;
  if (o.uri !== undefined) {
    const { fieldsFromUri } = await import("../uri/fields.js");
    body = { connection_id: id ?? scratchId(), ...fieldsFromUri(o.uri) };
    if (fields.password !== undefined) {
      if (body.password)
        throw new UsageError("the password is given twice: in --uri and with --password-stdin/--password");
      body.password = fields.password;
    }
    if (fields.description !== undefined) body.description = fields.description;
    if (fields.team_name !== undefined) body.team_name = fields.team_name;
  } else if (id !== undefined && fields.conn_type === undefined) {
    const stored = await api.get(id);
    if (o.onWorker) {
      // A worker test uses the body as sent: the stored secrets (shown as "***") cannot go with it.
      const w = storedWorkerBody(stored);
      body = w.body;
      const missing = w.omitted.filter((p) => !(p === "password" && fields.password !== undefined));
      if (missing.length) {
        d.warn(
          `${id}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not sent to the worker: the API shows stored secrets as *** and a worker test does not fill them in` +
            (missing.includes("password") ? " (give the password with --password-stdin)" : ""),
        );
      }
    } else {
      body = storedTestBody(stored);
    }
    Object.assign(body, fields);
  } else {
    if (fields.conn_type === undefined) {
      throw new UsageError(
        "nothing to test: give a stored connection's id, --uri, --pattern, --prefix, or field flags with --type",
        "e.g. airconn test my_postgres, or airconn test --type postgres --host db --login app --password-stdin",
      );
    }
    body = { connection_id: id ?? scratchId(), ...(fields as Fields & { conn_type: string }) };
  }

  // An extra given here (--uri, --extra) is checked against the provider's form, as create checks it; a stored one is not.
  const given = o.uri !== undefined ? body.extra : fields.extra;
  if (given !== undefined && given !== null)
    await checkOneExtra(d, id ?? (o.uri !== undefined ? "--uri" : "--extra"), body.conn_type, given, o);
  if (o.onWorker) {
    const result = await workerTest(d, api, body, {
      executor: o.executor,
      queue: o.queue,
      waitMs,
      reporter: () => stateReporter(d, body.connection_id),
    });
    return printWorkerResult(d, result);
  }
  const res: ConnectionTestResponse = await testOnApiServer(api, body);
  await render(d.io, out, {
    kind: "text",
    document: res,
    text: `${res.status ? "ok" : "failed"}: ${oneLine(res.message)}\n`,
  });
  if (!res.status) throw new AirconnError("", EXIT.FAILURE);
}

async function printWorkerResult(d: Deps, r: WorkerResult): Promise<void> {
  // table/plain: the same one line as a test on the API server; nothing on stdout when there is no result yet
  await render(d.io, d.output(), {
    kind: "text",
    document: r,
    text: r.status === null ? "" : `${r.status ? "ok" : "failed"}: ${r.message}\n`,
  });
  if (r.status === null) {
    throw new AirconnError(
      `${r.message}: the test of ${r.connection_id} goes on on the server; its token is ${r.token}`,
      EXIT.FAILURE,
      resumeHint(r.token),
    );
  }
  if (!r.status) throw new AirconnError("", EXIT.FAILURE);
}

async function runPoll(token: string, waitMs: number, d: Deps): Promise<void> {
  await requireWorkerTests(await airflowServer(d), "--poll");
  const api = await d.api();
  await printWorkerResult(d, await awaitResult(d, api, token, { waitMs, reporter: () => stateReporter(d, "test") }));
}

interface ManyResult {
  connection_id: string;
  result: "success" | "failed" | "error";
  status: boolean;
  message: string;
  token?: string;
}

/** Several stored connections, in parallel (at most 4 on workers: the server's own limit), a result per id. */
async function runMany(ids: string[], o: TestOptions, waitMs: number, d: Deps): Promise<void> {
  const out = d.output();
  if (o.onWorker) await requireWorkerTests(await airflowServer(d));
  const api = await d.api();
  // The connections: listed (--pattern/--prefix, full bodies in one go) or read one by one (ids).
  let targets: Array<{ id: string; stored?: ConnectionResponse }>;
  if (ids.length) targets = ids.map((id) => ({ id }));
  else {
    const list = await api.list({ pattern: o.pattern, prefix: o.prefix, concurrency: d.concurrency() });
    const byPattern = patternMatcher(o.pattern); // the server applied it; cheap to make sure
    targets = [
      ...new Map(list.filter((c) => byPattern(c.connection_id)).map((c) => [c.connection_id, c])).values(),
    ].map((c) => ({ id: c.connection_id, stored: c }));
  }
  if (!targets.length) {
    d.warn("no stored connection matches: nothing to test");
    await render(d.io, out, { kind: "rows", rows: [] as ManyResult[], columns: [], emptyTable: "nothing" });
    return;
  }
  const results: ManyResult[] = new Array(targets.length);
  const limit = Math.max(1, Math.min(d.concurrency(), o.onWorker ? WORKER_CONCURRENCY : 8));
  let done = 0;
  const progress =
    d.io.stderrIsTTY && !d.globals.verbose ? () => d.io.err(`\r\x1b[Ktested ${done}/${targets.length}`) : () => {};
  const omitted: string[] = [];
  const testOne = async (t: { id: string; stored?: ConnectionResponse }): Promise<ManyResult> => {
    const stored = t.stored ?? (await api.get(t.id));
    if (o.onWorker) {
      const w = storedWorkerBody(stored);
      if (w.omitted.length) omitted.push(t.id);
      // -v: a line per state of each test (no spinner: the progress line is the terminal's)
      const r = await workerTest(d, api, w.body, {
        executor: o.executor,
        queue: o.queue,
        waitMs,
        reporter: d.globals.verbose ? () => stateReporter(d, t.id) : undefined,
      });
      if (r.status === null)
        return {
          connection_id: t.id,
          result: "error",
          status: false,
          message: `${r.message}; ${resumeHint(r.token)}`,
          token: r.token,
        };
      return {
        connection_id: t.id,
        result: r.status ? "success" : "failed",
        status: r.status,
        message: r.message,
        token: r.token,
      };
    }
    const r = await testOnApiServer(api, storedTestBody(stored));
    return {
      connection_id: t.id,
      result: r.status ? "success" : "failed",
      status: r.status,
      message: oneLine(r.message),
    };
  };
  progress();
  try {
    // An id's own error (not found, not allowed, a test already running...) is its row. A fatal one stops the run, no
    // further id starts: the run's policy (isFatal: a token refused, a wrong URL, Ctrl-C), and what is the same for
    // every test: testing disabled, no tests on workers (405), an executor the server does not know (422).
    await runPool(
      targets,
      limit,
      async (t, i) => {
        results[i] = await testOne(t);
        done++;
        progress();
      },
      {
        failed: (e, t, i) => {
          results[i] = {
            connection_id: t.id,
            result: "error",
            status: false,
            message: e instanceof Error ? e.message : String(e),
          };
          done++;
          progress();
        },
        fatal: (e) => d.signal.aborted || isFatal(e) || e instanceof TestsDisabledError || e instanceof UsageError,
      },
    );
  } finally {
    if (d.io.stderrIsTTY && !d.globals.verbose) d.io.err("\r\x1b[K");
  }
  if (omitted.length) {
    d.warn(
      `tested on workers without their stored secrets (the API shows them as ***): ${omitted.slice(0, 10).join(", ")}${omitted.length > 10 ? ", ..." : ""}`,
    );
  }

  await render(d.io, out, {
    kind: "rows",
    rows: results,
    columns: [
      { header: "ID", value: (r) => r.connection_id },
      {
        header: "RESULT",
        value: (r) => r.result,
        paint: (chalk, s) => (s === "success" ? chalk.green(s) : chalk.red(s)),
      },
      { header: "MESSAGE", value: (r) => r.message },
    ],
  });
  const failed = results.filter((r) => !r.status).length;
  d.io.err(`tested ${results.length}: passed ${results.length - failed}, failed ${failed}\n`);
  if (failed) throw new PartialFailureError("");
}

/** An id for an unsaved connection that no stored one will have (the server merges a stored one with the same id). */
// Web Crypto's global, not node:crypto: importing that module at start-up costs every command ~10 ms.
const scratchId = () => `airconn_test_${globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
