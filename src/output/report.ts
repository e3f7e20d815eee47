// The per-id report of commands that write many ids (bulk, import, apply, defaults, multi-id delete).
// Every input id ends in exactly one list. stdout: a per-id table/plain listing, or one JSON/YAML report;
// stderr: one summary line. Any failure → exit 1 (PartialFailureError). A run stopped by a signal (issue 19) lists
// the ids it never sent as "not attempted" (`not_attempted` in json/yaml, only then) and ends with exit 130; one
// stopped by a fatal error (isFatal: a token refused, a wrong URL) after it wrote something the same, with that error.
import { AirconnError, CancelledError, PartialFailureError } from "../errors.js";
import type { OutputOptions } from "./format.js";
import type { IO } from "./io.js";
import { render, type Chalk } from "./render.js";

export type Outcome = "created" | "updated" | "deleted" | "skipped";
export interface ItemFailure {
  connection_id: string;
  action: string;
  error: string;
  status_code: number | null;
}
export interface ReportJson {
  created: string[];
  updated: string[];
  deleted: string[];
  skipped: string[];
  failed: ItemFailure[];
  /** Only in the report of a stopped run: the ids never sent. */
  not_attempted?: string[];
}

export class Report {
  readonly created: string[] = [];
  readonly updated: string[] = [];
  readonly deleted: string[] = [];
  readonly skipped: string[] = [];
  readonly failed: ItemFailure[] = [];
  /** The ids a stopped run never sent (see stopped()). */
  readonly notAttempted: string[] = [];
  /** Set by stopped(): a signal (or a fatal error: `cause`) ended the run before everything was sent. */
  interrupted = false;
  /** Set by stoppedBy(): the fatal error that ended the run, which printReport throws after the report. */
  cause?: AirconnError;
  /** Per-id rows in the order outcomes were recorded: id, action, result, error. */
  readonly rows: Array<{ id: string; action: string; result: Outcome | "failed" | "not attempted"; error: string }> =
    [];
  private readonly seen = new Map<string, string>();

  ok(id: string, outcome: Outcome, action: string = outcomeAction(outcome)): void {
    this.claim(id);
    this[outcome].push(id);
    this.rows.push({ id, action, result: outcome, error: "" });
  }

  fail(id: string, action: string, error: string, statusCode: number | null = null): void {
    this.claim(id);
    this.failed.push({ connection_id: id, action, error, status_code: statusCode });
    this.rows.push({ id, action, result: "failed", error });
  }

  /**
   * The run was stopped (SIGINT, SIGTERM, SIGHUP) after the requests in flight had finished: every planned id that
   * has no outcome was never sent, and is listed as not attempted with the action it would have had.
   */
  stopped(planned: Iterable<{ id: string; action: string }>): void {
    this.interrupted = true;
    for (const { id, action } of planned) {
      if (this.seen.has(id)) continue;
      this.claim(id);
      this.notAttempted.push(id);
      this.rows.push({ id, action, result: "not attempted", error: "" });
    }
  }

  /**
   * The run was stopped by a fatal error (isFatal, errors.ts: the same for every following request). When nothing
   * was written yet that error alone is the answer: it is thrown here, no report (as for one id). Otherwise the ids
   * never sent are listed as not attempted, and printReport throws the error after the report (its exit code).
   */
  stoppedBy(error: unknown, planned: Iterable<{ id: string; action: string }>): void {
    if (!(error instanceof AirconnError) || this.created.length + this.updated.length + this.deleted.length === 0)
      throw error;
    this.stopped(planned);
    this.cause = error;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }
  get total(): number {
    return this.rows.length;
  }

  private claim(id: string): void {
    if (this.seen.has(id)) throw new Error(`internal: id ${id} reported twice`);
    this.seen.set(id, id);
  }

  summary(): string {
    return (
      `created ${this.created.length}, updated ${this.updated.length}, deleted ${this.deleted.length}, skipped ${this.skipped.length}, failed ${this.failed.length}` +
      (this.interrupted ? `, not attempted ${this.notAttempted.length}` : "")
    );
  }

  toJSON(): ReportJson {
    return {
      created: this.created,
      updated: this.updated,
      deleted: this.deleted,
      skipped: this.skipped,
      failed: this.failed,
      ...(this.interrupted ? { not_attempted: this.notAttempted } : {}),
    };
  }
}

const outcomeAction = (o: Outcome) => ({ created: "create", updated: "update", deleted: "delete", skipped: "skip" })[o];

/** What printing a report needs: stdout/stderr and the output format (a command's Deps has both). */
export interface ReportOutput {
  io: IO;
  output(): OutputOptions;
}

type Row = Report["rows"][number];
const paintResult = (chalk: Chalk, r: string) =>
  r === "failed"
    ? chalk.red(r)
    : r === "skipped"
      ? chalk.yellow(r)
      : r === "not attempted"
        ? chalk.dim(r)
        : chalk.green(r);

/**
 * Prints the report (stdout), the summary line (stderr), and throws when any id failed (exit 1), when the run was
 * stopped by a signal (CancelledError: exit 130, or 143/129 for SIGTERM/SIGHUP, see cli.ts), or by a fatal error (it).
 */
export async function printReport(
  d: ReportOutput,
  report: Report,
  o: { prefix?: string; quietTable?: boolean } = {},
): Promise<void> {
  await render<Row>(d.io, d.output(), {
    kind: "rows",
    rows: report.rows,
    document: report.toJSON(),
    quiet: o.quietTable ? "table" : false,
    emptyTable: "nothing",
    columns: [
      { header: "ID", value: (r) => r.id },
      { header: "ACTION", value: (r) => r.action },
      { header: "RESULT", value: (r) => r.result, paint: paintResult },
      { header: "ERROR", value: (r) => r.error },
    ],
  });
  d.io.err(`${o.prefix ?? ""}${report.summary()}\n`);
  if (report.cause) throw report.cause;
  if (report.interrupted) {
    const failed = report.failed.length ? `, ${report.failed.length} failed` : "";
    throw new CancelledError(
      `interrupted: ${report.notAttempted.length} of ${report.total} not attempted${failed}; the requests in flight were finished and are in the report`,
    );
  }
  if (report.failed.length) {
    const ids = report.failed
      .slice(0, 10)
      .map((f) => f.connection_id)
      .join(", ");
    throw new PartialFailureError(
      `${report.failed.length} of ${report.total} failed: ${ids}${report.failed.length > 10 ? ", ..." : ""}`,
    );
  }
}
