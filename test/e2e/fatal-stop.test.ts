// Issue 20, item 3: one failure policy for runs over many ids (errors.ts isFatal, applied by the pool). A token the
// server refuses or a wrong URL stops `delete`, `bulk`, `import`, `apply` and `test` at the first such answer: every
// following request would fail the same way. When nothing was written, that one error is the answer (exit 4 for
// auth, as for one id); when something was, the report comes first, with the ids never sent as "not attempted".
// An id's own failure (404, 409, 422, 403 Forbidden) is still recorded for it and the run goes on.
// Before: `delete` recorded a 401 for every id and went on (exit 1), `bulk`, `import` and `apply` sent every chunk
// and recorded everything (exit 1), `test` went on after a wrong URL.
import { afterEach, describe, expect, it } from "vitest";
import type { InterceptReply, RecordedRequest } from "@airconn/fake-airflow";
import { useFakeAirflow } from "../support/fake.js";

/** When set, the server's answer to each request (before its own): a token that stops working mid-run. */
let script: ((q: RecordedRequest) => InterceptReply | undefined) | undefined;
const fake = useFakeAirflow({ seed: 40, intercept: (q) => script?.(q) }, { prefix: "airconn-fatal-" });
afterEach(() => {
  script = undefined;
  fake.server.setFaults(undefined);
});

/** A token the server cannot verify: 403 "Invalid JWT token" on every request. */
const BAD_TOKEN = { AIRCONN_TOKEN: "S3cr3t-not-a-jwt-token" };
const ids = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `conn_${String(from + i).padStart(5, "0")}`);
const api = (from: number, method: string) =>
  fake.since(from).filter((q) => q.method === method && q.path.startsWith("/api/v2/connections"));

/** From the `after`-th request of `method` on (counted from 1), the server answers 401 "Token Expired". */
function expiresAfter(method: string, after: number): void {
  let n = 0;
  script = (q) =>
    q.method === method && q.path.startsWith("/api/v2/connections") && ++n > after
      ? { status: 401, json: { detail: "Token Expired" } }
      : undefined;
}

describe("a refused token stops the run before anything is written: that one error, exit 4, no report", () => {
  it("delete of 20 ids (2 at a time): at most the 2 first deletes are sent", async () => {
    const before = fake.server.requests.length;
    const r = await fake.run(["--concurrency", "2", "delete", ...ids(1, 20), "--yes", "-o", "json"], {
      env: BAD_TOKEN,
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "airconn: Invalid JWT token\nhint: the token is not valid for this server: run `airconn login`\n",
    );
    expect(api(before, "DELETE").length).toBeLessThanOrEqual(2);
    expect(fake.server.stored("conn_00001")).toBeDefined();
  });

  it("bulk of 30 creates in chunks of 5 (2 at a time): at most 2 requests, not 6", async () => {
    const before = fake.server.requests.length;
    const entities = Array.from({ length: 30 }, (_, i) => ({ connection_id: `fatal_bulk_${i}`, conn_type: "http" }));
    const file = fake.file("fatal-bulk.json", JSON.stringify({ actions: [{ action: "create", entities }] }));
    const r = await fake.run(["--concurrency", "2", "bulk", file, "--chunk-size", "5", "-o", "json"], {
      env: BAD_TOKEN,
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "airconn: Invalid JWT token\nhint: the token is not valid for this server: run `airconn login`\n",
    );
    expect(fake.bulkRequests(before).length).toBeLessThanOrEqual(2);
  });

  it("import: the same", async () => {
    const before = fake.server.requests.length;
    const conns = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`fatal_imp_${i}`, { conn_type: "http" }]));
    const file = fake.file("fatal-import.json", JSON.stringify(conns));
    const r = await fake.run(["--concurrency", "1", "import", file, "--chunk-size", "5"], { env: BAD_TOKEN });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: Invalid JWT token\nhint: /);
    expect(fake.bulkRequests(before).length).toBeLessThanOrEqual(1);
  });
});

describe("a token that stops working mid-run: the report of what was done, the rest not attempted, then the error (exit 4)", () => {
  it("delete of 10 ids one at a time, the 4th refused: 3 deleted, 1 failed (401), 6 not attempted", async () => {
    const want = ids(11, 10);
    const before = fake.server.requests.length;
    expiresAfter("DELETE", 3);
    const r = await fake.run(["--concurrency", "1", "delete", ...want, "--yes", "-o", "json"]);
    expect(r.code, r.stderr).toBe(4);
    const rep = JSON.parse(r.stdout) as {
      deleted: string[];
      failed: Array<{ connection_id: string; status_code: number; error: string }>;
      not_attempted: string[];
    };
    expect(rep.deleted).toEqual(want.slice(0, 3));
    expect(rep.failed).toEqual([
      { connection_id: want[3], action: "delete", error: "Token Expired", status_code: 401 },
    ]);
    expect(rep.not_attempted).toEqual(want.slice(4));
    expect(r.stderr).toBe(
      "created 0, updated 0, deleted 3, skipped 0, failed 1, not attempted 6\n" +
        "airconn: Token Expired\nhint: your token has expired: run `airconn login` again\n",
    );
    expect(api(before, "DELETE")).toHaveLength(4);
    expect(fake.server.stored(want[3]!)).toBeDefined();
  });

  it("bulk in chunks of 2, one at a time, the 2nd refused: 2 created, 2 failed, the rest not attempted", async () => {
    const entities = Array.from({ length: 10 }, (_, i) => ({ connection_id: `fatal_mid_${i}`, conn_type: "http" }));
    const file = fake.file("fatal-mid.json", JSON.stringify({ actions: [{ action: "create", entities }] }));
    const before = fake.server.requests.length;
    expiresAfter("PATCH", 1);
    const r = await fake.run(["--concurrency", "1", "bulk", file, "--chunk-size", "2", "-o", "json"]);
    expect(r.code, r.stderr).toBe(4);
    const rep = JSON.parse(r.stdout) as {
      created: string[];
      failed: Array<{ connection_id: string; status_code: number }>;
      not_attempted: string[];
    };
    expect(rep.created).toEqual(["fatal_mid_0", "fatal_mid_1"]);
    expect(rep.failed.map((f) => [f.connection_id, f.status_code])).toEqual([
      ["fatal_mid_2", 401],
      ["fatal_mid_3", 401],
    ]);
    expect(rep.not_attempted).toEqual(entities.slice(4).map((e) => e.connection_id));
    expect(r.stderr).toMatch(/not attempted 6\nairconn: Token Expired\nhint: your token has expired/);
    expect(fake.bulkRequests(before)).toHaveLength(2);
    expect(fake.server.stored("fatal_mid_4")).toBeUndefined();
  });

  it("apply of 5 updates (one PATCH each), one at a time, the 2nd refused: 1 updated, 1 failed, 3 not attempted", async () => {
    const want = ids(35, 5);
    const yaml =
      "connections:\n" +
      want
        .map(
          (id) =>
            `  - connection_id: ${id}\n    conn_type: ${fake.server.stored(id)!.conn_type}\n    host: fatal-apply-host\n`,
        )
        .join("");
    const file = fake.file("fatal-apply.yaml", yaml);
    const before = fake.server.requests.length;
    expiresAfter("PATCH", 1);
    const r = await fake.run(["--concurrency", "1", "apply", file, "--pattern", "conn_0003%", "-o", "json"]);
    expect(r.code, r.stderr).toBe(4);
    const rep = JSON.parse(r.stdout) as {
      updated: string[];
      failed: Array<{ connection_id: string; status_code: number }>;
      not_attempted: string[];
    };
    expect(rep.updated).toEqual(want.slice(0, 1));
    expect(rep.failed.map((f) => [f.connection_id, f.status_code])).toEqual([[want[1], 401]]);
    expect(rep.not_attempted).toEqual(want.slice(2));
    expect(r.stderr).toMatch(/not attempted 3\nairconn: Token Expired\n/);
    expect(api(before, "PATCH")).toHaveLength(2);
    expect(fake.server.stored(want[2]!)!.host).not.toBe("fatal-apply-host");
  });
});

describe("an id's own failure is recorded and the run goes on", () => {
  it("delete: 403 Forbidden (a permission can be per connection) for every id: each reported, exit 1", async () => {
    const want = ids(25, 4);
    const before = fake.server.requests.length;
    fake.server.setFaults({ status: 403, methods: ["DELETE"] });
    const r = await fake.run(["--concurrency", "1", "delete", ...want, "--yes", "-o", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as {
      failed: Array<{ connection_id: string; status_code: number; error: string }>;
    };
    expect(rep.failed.map((f) => [f.connection_id, f.status_code, f.error])).toEqual(
      want.map((id) => [id, 403, "Forbidden"]),
    );
    expect(api(before, "DELETE")).toHaveLength(4);
  });
});

describe("test over many ids", () => {
  it("a wrong URL stops the run with that one error (exit 1), not one error row per id", async () => {
    const before = fake.server.requests.length;
    const r = await fake.run(["--concurrency", "1", "test", ...ids(31, 5)], {
      env: { AIRCONN_API_URL: `${fake.server.url}/airflow` },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^airconn: ${fake.server.url}/airflow/api/v2/connections/conn_00031 answered with an HTML page, not the Airflow API\\n`,
      ),
    );
    expect(fake.since(before).filter((q) => q.path.startsWith("/airflow/api/v2/connections/conn_000"))).toHaveLength(1);
  });

  it("a refused token stops it too (as before): exit 4, one request", async () => {
    const before = fake.server.requests.length;
    const r = await fake.run(["--concurrency", "1", "test", ...ids(31, 5)], { env: BAD_TOKEN });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: Invalid JWT token\n/);
    expect(api(before, "GET")).toHaveLength(1);
  });
});
