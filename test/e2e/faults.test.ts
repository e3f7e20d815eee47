// Issue 8, faults: what the built CLI says and which exit code it gives when the network or the server misbehaves,
// injected by the local fake Airflow (setFaults) or the environment (a closed port, a .invalid host). Each case
// checks the exit code, one `airconn: ...` line (plus a hint where one helps), and how many requests were sent:
// reads are retried on 429/502/503/504 and network errors, POST and PATCH never.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import type { Faults } from "@airconn/fake-airflow";
import { registerSecret, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 12 });
let closedUrl: string;

beforeAll(async () => {
  // A port nothing listens on: bind one, then close it.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  closedUrl = `http://127.0.0.1:${port}`;
});
afterEach(() => fake.server.setFaults(undefined));

const cli = (args: string[], o: { env?: Record<string, string>; input?: string } = {}) => fake.run(args, o);

/** Runs with a fault set; returns the result and the /api/v2 requests the server saw. */
async function withFault(faults: Faults, args: string[], o: { env?: Record<string, string>; input?: string } = {}) {
  fake.server.setFaults(faults);
  const before = fake.server.requests.length;
  const r = await cli(args, o);
  const sent = fake.server.requests.slice(before).filter((q) => q.path.startsWith("/api/v2"));
  fake.server.setFaults(undefined);
  return { r, sent };
}

/** stderr is one `airconn:` line (warnings aside) and, if given, a `hint:` line matching `hint`. */
function expectError(r: CliResult, code: number, message: RegExp, hint?: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  const lines = r.stderr.split("\n").filter((l) => l && !l.startsWith("airconn: warning: ") && !l.startsWith("* "));
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^airconn: /);
  expect(lines[0]!.slice(9)).toMatch(message);
  if (hint) expect(lines[1]).toMatch(/^hint: /);
  if (hint) expect(lines[1]!.slice(6)).toMatch(hint);
  expect(r.stderr).not.toMatch(/^\s+at |\b[A-Z]\w*Error\b|unexpected error/m);
}

describe("network", () => {
  it("connection refused: exit 1, names the URL; a read is retried (--retries 2: 3 attempts in --verbose)", async () => {
    const r = await cli(["--retries", "2", "-v", "list"], { env: { AIRCONN_API_URL: closedUrl } });
    expectError(
      r,
      1,
      new RegExp(`^cannot connect to ${closedUrl}: connection refused$`),
      /is the Airflow API server running\?/,
    );
    expect(r.stderr.match(/^\* GET .* error ECONNREFUSED/gm)).toHaveLength(3);
  });

  it("connection refused on localhost (IPv6 and IPv4 both tried): the same message", async () => {
    const url = closedUrl.replace("127.0.0.1", "localhost");
    const r = await cli(["--retries", "0", "get", "conn_00001"], { env: { AIRCONN_API_URL: url } });
    expectError(
      r,
      1,
      new RegExp(`^cannot connect to ${url}: connection refused$`),
      /is the Airflow API server running\?/,
    );
  });

  it("DNS failure (.invalid host): exit 1, cannot resolve host; warns that the token would go over plain http", async () => {
    const r = await cli(["--api-url", "http://airflow.example.invalid:8080", "--retries", "0", "list"]);
    expectError(r, 1, /^cannot resolve host airflow\.example\.invalid$/, /check the API URL/);
    expect(r.stderr).toMatch(
      /^airconn: warning: sending the token over plain http to airflow\.example\.invalid:8080: use https outside your own machine$/m,
    );
  });

  it("a server that accepts and never answers, --timeout 1: exit 1 with the timeout message, not retried", async () => {
    const { r, sent } = await withFault({ hang: true }, ["--timeout", "1", "get", "conn_00001"]);
    expectError(r, 1, new RegExp(`^no answer from ${fake.server.url} within 1 s$`), /--timeout <seconds>/);
    expect(sent).toHaveLength(1);
  });

  it("the server goes away mid-request (dieAfterRequests 0): exit 1, the connection was closed; the write not retried", async () => {
    const { r, sent } = await withFault({ dieAfterRequests: 0 }, ["create", "never_made", "--type", "http"]);
    expectError(r, 1, new RegExp(`^the connection to ${fake.server.url} was closed before an answer came$`));
    expect(sent).toHaveLength(1);
    expect(fake.server.stored("never_made")).toBeUndefined();
  });
});

describe("server errors", () => {
  it("plain-text 500: exit 1, the text, a hint to see the server's logs; a read is not retried on 500", async () => {
    const { r, sent } = await withFault({ plain500: true }, ["get", "conn_00001"]);
    expectError(r, 1, /^server error 500: Internal Server Error$/, /see its logs/);
    expect(sent).toHaveLength(1);
  });

  it("503 with Retry-After on a read: retried until it passes (failFirst 2: 3 requests), exit 0", async () => {
    const { r, sent } = await withFault({ status: 503, retryAfter: 0, failFirst: 2 }, [
      "get",
      "conn_00001",
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
    expect(sent.map((q) => q.status)).toEqual([503, 503, 200]);
  });

  it("502 with Retry-After: 1 on list: the wait is honoured (about a second) and the list completes", async () => {
    const started = Date.now();
    const { r, sent } = await withFault({ status: 502, retryAfter: 1, failFirst: 1 }, ["list", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(12);
    expect(sent.map((q) => q.status)).toEqual([502, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("503 that never ends on a read (--retries 2): 3 requests, exit 1, the status and the page title, not 'wrong URL'", async () => {
    const { r, sent } = await withFault({ status: 503, retryAfter: 0 }, ["--retries", "2", "list"]);
    expectError(
      r,
      1,
      /^server error 503 from http:\/\/127\.0\.0\.1:\d+\/api\/v2\/connections: 503 Service Unavailable \(an HTML error page\)$/,
      /unavailable.*try again/,
    );
    expect(sent).toHaveLength(3);
  });

  it("429 with Retry-After on delete (idempotent): retried, exit 0", async () => {
    const { r, sent } = await withFault({ status: 429, retryAfter: 0, failFirst: 1 }, [
      "delete",
      "conn_00012",
      "--yes",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sent.map((q) => `${q.method} ${q.status}`)).toEqual(["DELETE 429", "DELETE 204"]);
  });

  it("503 on create (POST): exactly one request, exit 1, nothing created twice", async () => {
    const { r, sent } = await withFault({ status: 503, retryAfter: 0, failFirst: 1 }, [
      "create",
      "once_only",
      "--type",
      "http",
    ]);
    expectError(r, 1, /^server error 503 from .*\/api\/v2\/connections: 503 Service Unavailable/);
    expect(sent.map((q) => q.method)).toEqual(["POST"]);
    expect(fake.server.stored("once_only")).toBeUndefined();
  });

  it("502 on patch (PATCH): exactly one request, exit 1", async () => {
    const { r, sent } = await withFault({ status: 502, retryAfter: 0, failFirst: 1, methods: ["PATCH"] }, [
      "patch",
      "conn_00002",
      "--host",
      "new-host",
    ]);
    expectError(r, 1, /^server error 502 from .*conn_00002: 502 Bad Gateway/);
    expect(sent.filter((q) => q.method === "PATCH")).toHaveLength(1);
    expect(fake.server.stored("conn_00002")!.host).not.toBe("new-host");
  });

  it("504 on test (POST /connections/test): one request, exit 1", async () => {
    const { r, sent } = await withFault({ status: 504, failFirst: 1 }, ["test", "--type", "http", "--host", "h"]);
    expectError(r, 1, /^server error 504 from .*\/api\/v2\/connections\/test: 504 Gateway Time-?out/);
    expect(sent).toHaveLength(1);
  });

  it("truncated JSON on a read: exit 1, says the answer was malformed (not retried)", async () => {
    const { r, sent } = await withFault({ truncatedJson: true }, ["list"]);
    expectError(
      r,
      1,
      /^the server sent a malformed JSON answer \(\d+ bytes\) for GET \/api\/v2\/connections$/,
      /cut the answer short/,
    );
    expect(sent).toHaveLength(1);
  });

  it("malformed JSON on a write (status 200): exit 1, one request", async () => {
    const { r, sent } = await withFault({ truncatedJson: true, methods: ["POST"] }, [
      "create",
      "half_answer",
      "--type",
      "http",
    ]);
    expectError(r, 1, /^the server sent a malformed JSON answer \(\d+ bytes\) for POST \/api\/v2\/connections$/);
    expect(sent).toHaveLength(1);
  });
});

describe("authentication", () => {
  it("401 Token Expired: exit 4, hint to log in again", async () => {
    const expired = fake.server.mintToken({ expiresInSeconds: -60 });
    registerSecret(expired);
    const r = await cli(["list"], { env: { AIRCONN_TOKEN: expired } });
    expectError(r, 4, /^Token Expired$/, /^your token has expired: run `airconn login` again$/);
  });

  it("403 Invalid JWT token: exit 4, the token is not valid for this server", async () => {
    const r = await cli(["get", "conn_00001"], { env: { AIRCONN_TOKEN: "S3cr3t-not-a-jwt-token" } });
    expectError(r, 4, /^Invalid JWT token$/, /not valid for this server: run `airconn login`/);
  });

  it("403 Forbidden: exit 4, not allowed", async () => {
    const { r } = await withFault({ status: 403 }, ["delete", "conn_00003", "--yes"]);
    expectError(r, 4, /^Forbidden$/, /not allowed/);
  });

  it("no token at all: exit 4 before any request", async () => {
    const before = fake.server.requests.length;
    const r = await cli(["list"], { env: { AIRCONN_TOKEN: "" } });
    expectError(r, 4, /^not logged in: no token for profile "default"/, /airconn login/);
    expect(fake.server.requests.length).toBe(before);
  });

  it("wrong AIRCONN_USERNAME/PASSWORD: exit 4, Invalid credentials", async () => {
    const r = await cli(["list"], {
      env: { AIRCONN_TOKEN: "", AIRCONN_USERNAME: "admin", AIRCONN_PASSWORD: "S3cr3t-P4ss-wrong" },
    });
    expectError(r, 4, /Invalid credentials/);
  });
});

describe("not the Airflow API", () => {
  it("an HTML page (the UI) with 200: says it is not the Airflow API and shows the URL used", async () => {
    const { r } = await withFault({ html: true }, ["list"]);
    expectError(
      r,
      1,
      new RegExp(`^${fake.server.url}/api/v2/connections answered with an HTML page, not the Airflow API$`),
      /it should be the Airflow base URL/,
    );
  });

  it("a redirect to a login page: exit 1, shows where it was sent", async () => {
    const { r } = await withFault({ redirectToLogin: true }, ["get", "conn_00001"]);
    expectError(
      r,
      1,
      new RegExp(
        `^${fake.server.url}/api/v2/connections/conn_00001 redirected \\(302\\) to /login\\?next=%2Fapi%2Fv2%2Fconnections%2Fconn_00001, not an Airflow API answer$`,
      ),
      /login page or a proxy/,
    );
  });

  it("an API URL with a wrong path (the UI answers): not the Airflow API, the URL used, exit 1", async () => {
    const r = await cli(["list"], { env: { AIRCONN_API_URL: `${fake.server.url}/airflow` } });
    expectError(
      r,
      1,
      new RegExp(`^${fake.server.url}/airflow/api/v2/connections answered with an HTML page, not the Airflow API$`),
      /airconn profile show/,
    );
  });
});
