// The per-id report of commands that write many ids (bulk, import, apply, defaults, multi-id delete).
// Every input id ends in exactly one list. stdout: a per-id table/plain listing, or one JSON/YAML report;
// stderr: one summary line. Any failure → exit 1 (PartialFailureError).
import { PartialFailureError } from "../errors.js";
import type { OutputOptions } from "./format.js";
import type { IO } from "./io.js";
import { render, type Chalk } from "./render.js";

export type Outcome = "created" | "updated" | "deleted" | "skipped";
export interface ItemFailure { connection_id: string; action: string; error: string; status_code: number | null }
export interface ReportJson {
  created: string[]; updated: string[]; deleted: string[]; skipped: string[]; failed: ItemFailure[];
}

export class Report {
  readonly created: string[] = [];
  readonly updated: string[] = [];
  readonly deleted: string[] = [];
  readonly skipped: string[] = [];
  readonly failed: ItemFailure[] = [];
  /** Per-id rows in the order outcomes were recorded: id, action, result, error. */
  readonly rows: Array<{ id: string; action: string; result: Outcome | "failed"; error: string }> = [];
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

  has(id: string): boolean { return this.seen.has(id); }
  get total(): number { return this.rows.length; }

  private claim(id: string): void {
    if (this.seen.has(id)) throw new Error(`internal: id ${id} reported twice`);
    this.seen.set(id, id);
  }

  summary(): string {
    return `created ${this.created.length}, updated ${this.updated.length}, deleted ${this.deleted.length}, skipped ${this.skipped.length}, failed ${this.failed.length}`;
  }

  toJSON(): ReportJson {
    return { created: this.created, updated: this.updated, deleted: this.deleted, skipped: this.skipped, failed: this.failed };
  }
}

const outcomeAction = (o: Outcome) => ({ created: "create", updated: "update", deleted: "delete", skipped: "skip" })[o];

/** What printing a report needs: stdout/stderr and the output format (a command's Deps has both). */
export interface ReportOutput { io: IO; output(): OutputOptions }

type Row = Report["rows"][number];
const paintResult = (chalk: Chalk, r: string) => (r === "failed" ? chalk.red(r) : r === "skipped" ? chalk.yellow(r) : chalk.green(r));

/** Prints the report (stdout), the summary line (stderr), and throws when any id failed. */
export async function printReport(d: ReportOutput, report: Report, o: { prefix?: string; quietTable?: boolean } = {}): Promise<void> {
  await render<Row>(d.io, d.output(), {
    kind: "rows", rows: report.rows, document: report.toJSON(), quiet: o.quietTable ? "table" : false, emptyTable: "nothing",
    columns: [
      { header: "ID", value: (r) => r.id },
      { header: "ACTION", value: (r) => r.action },
      { header: "RESULT", value: (r) => r.result, paint: paintResult },
      { header: "ERROR", value: (r) => r.error },
    ],
  });
  d.io.err(`${o.prefix ?? ""}${report.summary()}\n`);
  if (report.failed.length) {
    const ids = report.failed.slice(0, 10).map((f) => f.connection_id).join(", ");
    throw new PartialFailureError(`${report.failed.length} of ${report.total} failed: ${ids}${report.failed.length > 10 ? ", ..." : ""}`);
  }
}
