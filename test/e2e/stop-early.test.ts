// Issue 18, "Stop when nobody reads": when the reader of stdout goes away (`airconn list | head -1`), airconn aborts
// the requests in flight, asks for no further page, and exits 0 without a word. A slow server (400 ms a request,
// 3,000 connections, pages of 100: 30 pages) shows it: before the fix every page was read (12 s at --concurrency 1).
// The pipeline is a real shell pipe (a FIFO, as in a terminal), the way users run it.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { BIN, baseEnv, NODE, ROOT, type CliResult } from "../support/cli.js";
import { scanRun, secretsOfRun } from "../support/secrets.js";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 3000, latencyMs: 400, maxPageLimit: 100 });

/**
 * `airconn ARGS | head -N` in bash: stdout is what head printed, stderr airconn's, code airconn's exit code
 * (PIPESTATUS[0]); with the time the whole pipeline took. The output is scanned for secrets like every e2e run.
 */
function pipeToHead(args: string[], lines = 1): Promise<CliResult & { ms: number }> {
  const env = { ...fake.env };
  const before = secretsOfRun(args, env);
  const script = `"$AIRCONN_NODE" "$AIRCONN_BIN" "$@" | head -${lines}; exit "\${PIPESTATUS[0]}"`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script, "bash", ...args], {
      env: baseEnv({ ...env, AIRCONN_NODE: NODE, AIRCONN_BIN: BIN }),
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`airconn ${args.join(" ")} | head timed out\n${stderr}`));
    }, 40_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const leak = scanRun(args, env, undefined, { stdout, stderr }, before);
      if (leak) reject(leak);
      else resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The listing requests (GET /api/v2/connections) the server received since `from`. */
const pages = (from: number) => fake.since(from).filter((r) => r.method === "GET" && r.path === "/api/v2/connections");

describe("list | head -1 against a slow server (30 pages of 100, 400 ms each)", () => {
  it("--concurrency 1: the first page and at most one more are asked for; exit 0, nothing on stderr, about a second", async () => {
    const from = fake.server.requests.length;
    const r = await pipeToHead(["list", "--concurrency", "1"]);
    expect(r.stdout).toMatch(/^conn_00001\t[^\n]*\n$/);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const sent = pages(from);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(1 + 1);
    expect(sent.map((q) => q.query.get("offset"))).toEqual(["0", "100"].slice(0, sent.length));
    // All 30 pages at 400 ms one after another took 12 s: stopping leaves start-up and two round trips.
    expect(r.ms).toBeLessThan(8000);
  });

  it("--concurrency 4: at most 4 pages after the first, and those in flight are aborted (exit at once, not after 30 pages)", async () => {
    const from = fake.server.requests.length;
    const r = await pipeToHead(["list", "--concurrency", "4"]);
    expect(r.stdout).toMatch(/^conn_00001\t/);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(pages(from).length).toBeLessThanOrEqual(1 + 4);
    expect(r.ms).toBeLessThan(8000);
  });

  it("head -150 (the reader leaves during the second page): no page past first + --concurrency", async () => {
    const from = fake.server.requests.length;
    const r = await pipeToHead(["list", "--concurrency", "2"], 150);
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(150);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Page 2 reaches the reader, page 3 finds the pipe closed: pages 1, 2, 3 and at most the two asked for meanwhile.
    expect(pages(from).length).toBeLessThanOrEqual(1 + 2 + 2);
  });

  it("-o json | head -1: the document is written whole once every page has arrived (issue 11), then the closed pipe is quiet", async () => {
    // A json document never goes out half-written, so its first line exists only after the last page: head cannot
    // leave earlier, and every page is read. What matters here: exit 0, nothing on stderr, the first line intact.
    const from = fake.server.requests.length;
    const r = await pipeToHead(["list", "-o", "json", "--concurrency", "8"]);
    expect(r.stdout).toBe("[\n");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(pages(from)).toHaveLength(30);
  });
});

describe("a reader that stays: nothing changes", () => {
  it("list | head -3000 reads all 30 pages and exits 0", async () => {
    const from = fake.server.requests.length;
    const r = await pipeToHead(["list", "--concurrency", "8"], 3000);
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(3000);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(pages(from)).toHaveLength(30);
  });
});
