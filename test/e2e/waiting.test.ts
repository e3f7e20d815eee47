// Issue 19, "Waiting is visible and bounded", with the built CLI against the local server's faults: a Retry-After
// past the --timeout budget or longer than 60 s ends at once with a message (exit 1) instead of a silent wait (before:
// `Retry-After: 3600` with --timeout 2 waited 91 s, printing nothing); a wait of a few seconds is announced on stderr;
// a 429 on a write (POST, PATCH, bulk PATCH) is retried, as a 429 means nothing was applied.
import { afterEach, describe, expect, it } from "vitest";
import type { Faults } from "@airconn/fake-airflow";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 12 }, { prefix: "airconn-waiting-" });
afterEach(() => fake.server.setFaults(undefined));

/** Runs with a fault set: the result, the /api/v2 requests the server saw, and how long the run took. */
async function withFault(faults: Faults, args: string[]) {
  fake.server.setFaults(faults);
  const before = fake.server.requests.length;
  const started = performance.now();
  const r = await fake.run(args, { timeoutMs: 60_000 });
  const ms = performance.now() - started;
  const sent = fake.server.requests.slice(before).filter((q) => q.path.startsWith("/api/v2/connections"));
  fake.server.setFaults(undefined);
  return { r, sent, ms };
}

describe("a Retry-After airconn will not wait for ends with a message", () => {
  it("Retry-After: 3600 with --timeout 2: exit 1 at once, what the server asked and that airconn waits at most 60 s; one request", async () => {
    const { r, sent, ms } = await withFault({ status: 429, retryAfter: 3600 }, ["--timeout", "2", "get", "conn_00001"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "airconn: the server asked to retry after 3600 s (429 on GET /api/v2/connections/conn_00001); giving up (airconn waits at most 60 s)\nhint: try again later\n",
    );
    expect(sent).toHaveLength(1);
    expect(ms).toBeLessThan(10_000);
  });

  it("Retry-After: 5 with --timeout 2: past the budget; the hint names a --timeout that would wait", async () => {
    const { r, sent, ms } = await withFault({ status: 503, retryAfter: 5 }, ["--timeout", "2", "list"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(
      "airconn: the server asked to retry after 5 s (503 on GET /api/v2/connections); giving up: that is past the --timeout of 2 s (raise --timeout to wait that long)\nhint: e.g. --timeout 7, or try again later\n",
    );
    expect(sent).toHaveLength(1);
    expect(ms).toBeLessThan(4000);
  });

  it("in a multi-id report the id carries the message and the status", async () => {
    const { r } = await withFault({ status: 429, retryAfter: 600, methods: ["DELETE"] }, [
      "delete",
      "conn_00003",
      "conn_00004",
      "--yes",
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as {
      failed: Array<{ connection_id: string; error: string; status_code: number }>;
    };
    expect(rep.failed.map((f) => [f.connection_id, f.status_code])).toEqual([
      ["conn_00003", 429],
      ["conn_00004", 429],
    ]);
    expect(rep.failed[0]!.error).toMatch(
      /^the server asked to retry after 600 s \(429 on DELETE \/api\/v2\/connections\/conn_00003\); giving up/,
    );
    expect(fake.server.stored("conn_00003")).toBeDefined();
  });
});

describe("a wait of a few seconds is announced, and honoured", () => {
  it("503 with Retry-After: 3 on list: 'waiting 3 s before retrying' on stderr, then the list (-o json intact), exit 0", async () => {
    const { r, sent, ms } = await withFault({ status: 503, retryAfter: 3, failFirst: 1 }, ["list", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(12);
    expect(r.stderr).toBe("airconn: waiting 3 s before retrying GET /api/v2/connections (the server said 503)\n");
    expect(sent.map((q) => q.status)).toEqual([503, 200]);
    expect(ms).toBeGreaterThanOrEqual(3000);
  });

  it("a short wait (Retry-After: 1) says nothing", async () => {
    const { r, sent } = await withFault({ status: 429, retryAfter: 1, failFirst: 1 }, ["get", "conn_00002"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(sent.map((q) => q.status)).toEqual([429, 200]);
  });
});

describe("a 429 on a write is retried (nothing was applied)", () => {
  it("create (POST): 429 then 201, exit 0, stored once", async () => {
    const { r, sent } = await withFault({ status: 429, retryAfter: 0, failFirst: 1, methods: ["POST"] }, [
      "create",
      "after_429",
      "--type",
      "http",
      "--host",
      "h",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sent.filter((q) => q.method === "POST").map((q) => q.status)).toEqual([429, 201]);
    expect(fake.server.stored("after_429")?.host).toBe("h");
  });

  it("patch (PATCH): 429 then 200", async () => {
    const { r, sent } = await withFault({ status: 429, retryAfter: 0, failFirst: 1, methods: ["PATCH"] }, [
      "patch",
      "conn_00005",
      "--host",
      "patched-after-429",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sent.filter((q) => q.method === "PATCH").map((q) => q.status)).toEqual([429, 200]);
    expect(fake.server.stored("conn_00005")!.host).toBe("patched-after-429");
  });

  it("bulk (PATCH /connections): the chunk answered 429 is sent again; every id created, none failed", async () => {
    const list = Array.from({ length: 15 }, (_, i) => `bulk429_${i + 1}`);
    const p = fake.file(
      "bulk429.json",
      JSON.stringify({
        actions: [{ action: "create", entities: list.map((id) => ({ connection_id: id, conn_type: "http" })) }],
      }),
    );
    const { r, sent } = await withFault({ status: 429, retryAfter: 0, failFirst: 1, methods: ["PATCH"] }, [
      "--concurrency",
      "1",
      "bulk",
      p,
      "--chunk-size",
      "5",
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { created: string[]; failed: unknown[] };
    expect(rep.failed).toEqual([]);
    expect(rep.created).toEqual(list);
    expect(sent.filter((q) => q.method === "PATCH").map((q) => q.status)).toEqual([429, 200, 200, 200]);
    for (const id of list) expect(fake.server.stored(id)).toBeDefined();
  });

  it("503 on a write is still not retried (it may have been applied)", async () => {
    const { r, sent } = await withFault({ status: 503, retryAfter: 0, failFirst: 1, methods: ["POST"] }, [
      "create",
      "after_503",
      "--type",
      "http",
    ]);
    expect(r.code).toBe(1);
    expect(sent.filter((q) => q.method === "POST")).toHaveLength(1);
  });
});
