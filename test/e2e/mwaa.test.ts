// Issue 22, end to end: the built CLI with no token and no API URL, only AIRCONN_MWAA_ENVIRONMENT and AWS credentials,
// against the MWAA test front (test/support/mwaa-front.ts: it checks each request's SigV4 signature with its own
// implementation and the InvokeRestApi body, then calls the local Airflow). Every command shows what it shows when
// run directly against that Airflow with a token: the same stdout, stderr and exit code, and the same data stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, NODE, ROOT, baseEnv, runCli, tempDir } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { startMwaaFront, type MwaaFront } from "../support/mwaa-front.js";

const SEED = 6;
const ENV_NAME = "airconn-e2e";
const REGION = "eu-west-1";
const KEY = { accessKeyId: "AKIAAIRCONNE2E00001", secretAccessKey: "airconn-e2e/Secret+Key/0123456789abcdefXYZ" };

const fake = useFakeAirflow({ testConnection: "Enabled", seed: SEED });
let front: MwaaFront;
let cache: ReturnType<typeof tempDir>;
beforeAll(async () => {
  front = await startMwaaFront({
    airflowUrl: fake.server.url,
    adminToken: fake.server.adminToken,
    region: REGION,
    environments: [ENV_NAME],
    ...KEY,
  });
  cache = tempDir("airconn-mwaa-cache-");
});
afterAll(async () => {
  await front?.close();
  cache?.cleanup();
});

/** No AWS file or instance role of this machine can take part: the variables alone give the credentials. */
const NO_AWS_FILES = {
  AWS_CONFIG_FILE: "/nonexistent/airconn-e2e/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/airconn-e2e/aws-credentials",
  AWS_EC2_METADATA_DISABLED: "true",
};
/** An MWAA run: no token, no API URL. */
const viaMwaa = (extra: Record<string, string> = {}): Record<string, string> => ({
  AIRCONN_CONFIG_DIR: fake.cfgDir,
  XDG_CACHE_HOME: cache.dir,
  AIRCONN_MWAA_ENVIRONMENT: ENV_NAME,
  AWS_ACCESS_KEY_ID: KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
  AWS_REGION: REGION,
  AWS_ENDPOINT_URL_MWAA: front.url,
  ...NO_AWS_FILES,
  ...extra,
});
/** The same Airflow directly, with the admin token. */
const direct = (): Record<string, string> => ({
  AIRCONN_CONFIG_DIR: fake.cfgDir,
  XDG_CACHE_HOME: cache.dir,
  AIRCONN_API_URL: fake.server.url,
  AIRCONN_TOKEN: fake.server.adminToken,
});

/**
 * Runs `args` directly and through MWAA, each on the freshly seeded server: the same exit code, stdout, stderr and
 * stored connections; every call the front saw was signed and reached the Airflow once.
 */
async function same(args: string[], input?: string) {
  fake.server.reset({ seed: SEED });
  const d = await runCli(args, { env: direct(), input });
  const stored = fake.server.all();
  fake.server.reset({ seed: SEED });
  const from = front.calls.length;
  const m = await runCli(args, { env: viaMwaa(), input });
  expect({ code: m.code, stdout: m.stdout, stderr: m.stderr }).toEqual({
    code: d.code,
    stdout: d.stdout,
    stderr: d.stderr,
  });
  expect(fake.server.all()).toEqual(stored);
  const calls = front.calls.slice(from);
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.every((c) => c.signed && c.refused === undefined)).toBe(true);
  // each Airflow request of the MWAA run came through the front (nothing reached the Airflow another way)
  expect(fake.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
    calls.map((c) => `${c.invocation!.Method} /api/v2${c.invocation!.Path}`),
  );
  return { direct: d, mwaa: m, calls };
}

describe("every command through MWAA InvokeRestApi: the same output and exit codes as direct", () => {
  it("list (table, JSON, a pattern), get (JSON, YAML), a missing id (exit 3)", async () => {
    const l = await same(["list"]);
    expect(l.mwaa.stdout.split("\n").filter(Boolean)).toHaveLength(SEED);
    await same(["list", "-o", "json", "--pattern", "conn_0000%", "--order-by", "-conn_id"]);
    const g = await same(["get", "conn_00002", "-o", "json"]);
    expect(JSON.parse(g.mwaa.stdout)).toMatchObject({ connection_id: "conn_00002" });
    expect(g.calls.map((c) => c.invocation)).toContainEqual({ Method: "GET", Path: "/connections/conn_00002" });
    await same(["get", "conn_00003", "-o", "yaml"]);
    const miss = await same(["get", "nope"]);
    expect(miss.mwaa.code).toBe(3);
    expect(miss.mwaa.stderr).toBe("airconn: The Connection with connection_id: `nope` was not found\n");
    expect(miss.calls.map((c) => c.airflowStatus)).toEqual([404]);
  });

  it("create, a duplicate (exit 5), patch, delete", async () => {
    const c = await same(
      ["create", "e2e_new", "--type", "http", "--host", "api.example.com", "--port", "8443", "--password-stdin"],
      "pw-e2e-123\n",
    );
    expect(c.mwaa.code).toBe(0);
    const post = c.calls.find((x) => x.invocation?.Method === "POST")!;
    expect(post.invocation).toMatchObject({
      Path: "/connections",
      Body: { connection_id: "e2e_new", password: "pw-e2e-123" },
    });
    const dup = await same(["create", "conn_00001", "--type", "http"]);
    expect(dup.mwaa.code).toBe(5);
    const p = await same(["patch", "conn_00001", "--host", "patched.example.com"]);
    expect(p.mwaa.code).toBe(0);
    expect(p.calls.find((x) => x.invocation?.Method === "PATCH")!.invocation).toMatchObject({
      Path: "/connections/conn_00001",
      QueryParameters: { update_mask: "host" },
    });
    const del = await same(["delete", "conn_00004", "--yes"]);
    expect(del.mwaa.code).toBe(0);
    expect(del.calls.map((x) => x.invocation?.Method)).toContain("DELETE");
  });

  it("bulk (a file of actions) and test", async () => {
    const file = fake.file(
      "bulk.json",
      JSON.stringify({
        actions: [
          { action: "create", entities: [{ connection_id: "b1", conn_type: "http", host: "b1.example" }] },
          { action: "delete", entities: ["conn_00005"] },
        ],
      }),
    );
    const b = await same(["bulk", file]);
    expect(b.mwaa.code).toBe(0);
    expect(b.calls.some((x) => x.invocation?.Method === "PATCH" && x.invocation.Path === "/connections")).toBe(true);
    const t = await same(["test", "conn_00001"]);
    expect(t.calls.map((x) => x.invocation?.Path)).toContain("/connections/test");
  });
});

describe("what MWAA refuses, and its limits", () => {
  it("a wrong secret key: exit 4, AWS's InvalidSignatureException; the key is never printed", async () => {
    const r = await runCli(["get", "conn_00001"], {
      env: viaMwaa({ AWS_SECRET_ACCESS_KEY: "wrong/Secret+Key/abcdef0123456789" }),
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^airconn: MWAA refused the request \(InvalidSignatureException: The request signature we calculated does not match/,
    );
    expect(r.stderr).toMatch(/\nhint: check the AWS credentials/);
    expect(front.calls.at(-1)).toMatchObject({ signed: false, refused: "InvalidSignatureException" });
  });

  it("AccessDeniedException: exit 4 with its message and what the caller needs", async () => {
    front.accessDenied = true;
    try {
      const r = await runCli(["list"], { env: viaMwaa() });
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(
        `airconn: MWAA refused the request (AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: airflow:InvokeRestApi on resource: arn:aws:airflow:${REGION}:123456789012:role/${ENV_NAME}/Op)\n` +
          `hint: the caller needs airflow:InvokeRestApi on arn:aws:airflow:${REGION}:ACCOUNT:role/${ENV_NAME}/ROLE (an Airflow role that may manage connections: Op or Admin); see docs/mwaa.md\n`,
      );
      expect(front.calls.at(-1)).toMatchObject({ signed: true, refused: "AccessDeniedException" });
      // status says so too, in its document, and exits 4
      const st = await runCli(["status", "-o", "json"], { env: viaMwaa() });
      expect(st.code).toBe(4);
      expect(JSON.parse(st.stdout)).toMatchObject({
        auth: "refused",
        auth_detail: expect.stringMatching(/^MWAA refused the request \(AccessDeniedException: /),
        problem: "token",
        mwaa_environment: ENV_NAME,
      });
    } finally {
      front.accessDenied = false;
    }
  });

  it("an unknown environment: exit 1 naming it and the region; throttling: retried, then the answer", async () => {
    const r = await runCli(["get", "conn_00001"], { env: viaMwaa({ AIRCONN_MWAA_ENVIRONMENT: "NoSuchEnv" }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^airconn: MWAA environment "NoSuchEnv" was not found in eu-west-1 \(ResourceNotFoundException: Environment NoSuchEnv was not found\)\nhint: check the environment \(from AIRCONN_MWAA_ENVIRONMENT\) and the region \(from AWS_REGION\)/,
    );
    fake.server.reset({ seed: SEED });
    front.throttle = 2;
    const from = front.calls.length;
    const t = await runCli(["get", "conn_00001", "-o", "json"], { env: viaMwaa() });
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ connection_id: "conn_00001" });
    expect(front.calls.slice(from).map((c) => c.refused ?? c.airflowStatus)).toEqual([
      "ThrottlingException",
      "ThrottlingException",
      200,
    ]);
  });

  it("6 MB: a request over it is refused before sending; a bulk file over it goes in parts under it", async () => {
    fake.server.reset({ seed: SEED });
    const huge = { connection_id: "huge", conn_type: "http", extra: JSON.stringify({ blob: "x".repeat(6_100_000) }) };
    const from = front.calls.length;
    const c = await runCli(["create", "huge", "--json", `@${fake.file("huge.json", JSON.stringify(huge))}`], {
      env: viaMwaa(),
    });
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(
      `airconn: POST /connections is 6.1 MB as an MWAA InvokeRestApi request: MWAA takes at most 6.0 MB (MWAA environment "${ENV_NAME}"); nothing was sent\n`,
    );
    // in a bulk file: that connection fails (its row says why), the run exits 1
    const b = await runCli(
      ["bulk", fake.file("big.json", JSON.stringify({ actions: [{ action: "create", entities: [huge] }] }))],
      {
        env: viaMwaa(),
      },
    );
    expect(b.code).toBe(1);
    expect(b.stdout).toBe(
      "huge\tcreate\tfailed\tconnection huge is 6.1 MB as an MWAA InvokeRestApi request: MWAA takes at most 6.0 MB; nothing was sent\n",
    );
    // nothing was written (create may read the server's version first)
    expect(front.calls.slice(from).filter((x) => x.invocation?.Method !== "GET")).toEqual([]);
    expect(fake.server.stored("huge")).toBeUndefined();

    const many = fake.file(
      "many.json",
      JSON.stringify({
        actions: [
          {
            action: "create",
            entities: Array.from({ length: 8 }, (_, i) => ({
              connection_id: `part_${i}`,
              conn_type: "http",
              extra: JSON.stringify({ blob: "y".repeat(1_000_000) }),
            })),
          },
        ],
      }),
    );
    const m = await runCli(["bulk", many], { env: viaMwaa() });
    expect(m.stderr).toBe("created 8, updated 0, deleted 0, skipped 0, failed 0\n");
    expect(m.code).toBe(0);
    const parts = front.calls.slice(from).filter((c) => c.invocation?.Method === "PATCH");
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.bytes).toBeLessThanOrEqual(6_000_000);
    expect(fake.server.all().filter((c) => c.connection_id.startsWith("part_"))).toHaveLength(8);
  });
});

describe("settings and start-up", () => {
  it("profile set --mwaa-environment: no token, no API URL; profile show and status say where requests go", async () => {
    const cfg = tempDir("airconn-mwaa-cfg-");
    try {
      const env = { ...viaMwaa({ AIRCONN_CONFIG_DIR: cfg.dir }), AIRCONN_MWAA_ENVIRONMENT: "" };
      const set = await runCli(["profile", "set", "mw", "--mwaa-environment", ENV_NAME, "--aws-region", REGION], {
        env: { ...env, AWS_REGION: "" },
      });
      expect(set).toMatchObject({ code: 0, stdout: "" });
      expect(set.stderr).toBe(`Profile mw: mwaa_environment ${ENV_NAME}; aws_region ${REGION}.\n`);
      const show = await runCli(["profile", "show", "-o", "json"], { env: { ...env, AWS_REGION: "us-east-1" } });
      expect(JSON.parse(show.stdout)).toMatchObject({
        profile: "mw",
        api_url: `mwaa://${ENV_NAME}`,
        api_url_source: "profile mw",
        mwaa_environment: ENV_NAME,
        mwaa_environment_source: "profile mw",
        aws_region: REGION, // the profile's region wins over AWS_REGION
        aws_region_source: "profile mw",
        mwaa_endpoint: `${front.url} (from AWS_ENDPOINT_URL_MWAA)`,
        token: "not used (MWAA)",
      });
      fake.server.reset({ seed: SEED });
      const st = await runCli(["status", "-o", "json"], { env });
      expect(st.code).toBe(0);
      expect(JSON.parse(st.stdout)).toMatchObject({
        api_url: `mwaa://${ENV_NAME}`,
        reachable: true,
        server_version: fake.server.airflowVersion,
        auth: "ok",
        connection_tests: "enabled",
        mwaa_environment: ENV_NAME,
        aws_region: REGION,
      });
      // the flag wins over the profile: an environment the front does not know
      const flag = await runCli(["--mwaa-environment", "Other", "list"], { env });
      expect(flag.code).toBe(1);
      expect(flag.stderr).toMatch(/MWAA environment "Other" was not found in eu-west-1/);
      // an API URL given at a higher level than the profile's MWAA environment goes directly
      const url = await runCli(["list"], {
        env: { ...env, AIRCONN_API_URL: fake.server.url, AIRCONN_TOKEN: fake.server.adminToken },
      });
      expect(url.code).toBe(0);
      // login is refused for an MWAA profile
      const login = await runCli(["login", "--token-stdin"], { env, input: "x.y.z\n" });
      expect(login.code).toBe(2);
      expect(login.stderr).toMatch(
        /^airconn: profile mw uses the MWAA environment "airconn-e2e" \(from profile mw\): it needs no login/,
      );
    } finally {
      cfg.cleanup();
    }
  });

  it("apply --prune without --yes names the diff to run with the MWAA flags, not the mwaa:// URL", async () => {
    fake.server.reset({ seed: SEED });
    const f = fake.file("one.yaml", "connections:\n  - {connection_id: conn_00001, conn_type: mysql}\n");
    const env = { ...viaMwaa(), AIRCONN_MWAA_ENVIRONMENT: "", AWS_REGION: "" };
    const r = await runCli(["--mwaa-environment", ENV_NAME, "--aws-region", REGION, "apply", f, "--prune"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `\nhint: see them first with: airconn --mwaa-environment ${ENV_NAME} --aws-region ${REGION} diff ${f} --prune\n$`,
      ),
    );
    expect(fake.writes()).toEqual([]);
  });

  it("no region anywhere: exit 2 saying where to give one; the AWS packages load only for an MWAA run", async () => {
    const r = await runCli(["list"], { env: viaMwaa({ AWS_REGION: "" }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `airconn: no AWS region for the MWAA environment "${ENV_NAME}" (from AIRCONN_MWAA_ENVIRONMENT)\n` +
        "hint: give --aws-region REGION, AIRCONN_AWS_REGION or AWS_REGION, or keep it in the profile: `airconn profile set NAME --aws-region REGION`\n",
    );
    // Which AWS modules a process loaded: printed by a preloaded hook at exit.
    const hook = join(cache.dir, "loaded-aws.cjs");
    writeFileSync(
      hook,
      'process.on("exit", () => process.stderr.write("AWS modules: " + Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/]@(aws-sdk|smithy)[\\\\/]/.test(k)).length + "\\n"));\n',
    );
    const loaded = (args: string[], env: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const child = spawn(NODE, ["--require", hook, BIN, ...args], { env: baseEnv(env), cwd: ROOT });
        let err = "";
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        child.on("close", () => resolve(/AWS modules: (\d+)/.exec(err)?.[1] ?? "none"));
      });
    expect(await loaded(["--help"], viaMwaa())).toBe("0");
    expect(await loaded(["list"], direct())).toBe("0");
    expect(Number(await loaded(["list"], viaMwaa()))).toBeGreaterThan(0);
  });
});

describe("MWAA behind an HTTP proxy (a CI runner's egress)", () => {
  it("HTTP_PROXY carries the signed InvokeRestApi calls to the MWAA endpoint; NO_PROXY bypasses it", async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((req, res) => {
      req.resume();
      res.writeHead(405).end();
    });
    proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const where = req.url ?? "";
      tunnels.push(where);
      socket.on("error", () => {});
      const i = where.lastIndexOf(":");
      const up = net.connect(Number(where.slice(i + 1)), where.slice(0, i), () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on("error", () => socket.destroy());
      socket.on("close", () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const endpoint = new URL(front.url).host;
      const r = await runCli(["get", "conn_00001", "-o", "json"], { env: viaMwaa({ HTTP_PROXY: proxyUrl }) });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
      expect(tunnels.length).toBeGreaterThan(0);
      expect(new Set(tunnels)).toEqual(new Set([endpoint])); // only MWAA's endpoint, never the Airflow itself
      tunnels.length = 0;
      const b = await runCli(["get", "conn_00001"], {
        env: viaMwaa({ HTTP_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" }),
      });
      expect(b.code).toBe(0);
      expect(tunnels).toEqual([]);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
