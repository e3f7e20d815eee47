// The request log (fake.requests) and what `intercept` is shown.
import type { Exchange } from "./http.js";

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

/** The log entry of a request that has been read; answered() completes it. */
export function recordOf(ex: Exchange): RecordedRequest {
  const text = ex.body.toString("utf8");
  const rec: RecordedRequest = {
    method: ex.method,
    path: ex.path,
    query: ex.query,
    rawQuery: ex.rawQuery,
    headers: { ...ex.headers },
    body: text,
    status: 0,
    at: performance.now(),
    doneAt: 0,
  };
  if (text.length > 0) {
    try {
      rec.json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
  }
  return rec;
}

/** Appends to the log; when it holds more than `limit`, the oldest tenth is dropped. */
export function keep(log: RecordedRequest[], rec: RecordedRequest, limit: number): void {
  log.push(rec);
  if (log.length > limit) log.splice(0, Math.max(1, Math.floor(limit / 10)));
}

export function answered(rec: RecordedRequest | undefined, status: number): void {
  if (!rec) return;
  rec.status = status;
  rec.doneAt = performance.now();
}
