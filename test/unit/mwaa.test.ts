// Issue 22, the MWAA transport in process: what InvokeRestApi is sent for each Airflow request, the size and path
// limits, the signature (checked by the test front's own SigV4, itself checked against AWS's published test vectors),
// and how each kind of answer comes back (the Airflow answer, MWAA's refusals, throttling retried).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { fitted, invocationOf, mwaaFetch, type AwsCredentials, type Invocation } from "../../src/api/mwaa.js";
import { MwaaAuthError } from "../../src/api/mwaa-errors.js";
import { AirflowApi } from "../../src/api/client.js";
import { ApiError, EXIT, NotAirflowApiError, UsageError } from "../../src/errors.js";
import type { MwaaSettings } from "../../src/config/resolve.js";
import { startMwaaFront, verifySigV4, type MwaaFront, type SignedRequest } from "../support/mwaa-front.js";

const KEY: AwsCredentials = {
  accessKeyId: "AKIAAIRCONNTEST01",
  secretAccessKey: "airconn/unit+test/SecretKey0123456789",
};
const REGION = "eu-west-1";
const ENV = "airconn-test";
const settings = (environment = ENV): MwaaSettings => ({
  environment: { value: environment, source: "flag", detail: "--mwaa-environment" },
  region: { value: REGION, source: "env", detail: "AWS_REGION" },
});

const url = (path: string) => new URL(`mwaa://${ENV}${path}`);
const inv = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  invocationOf(method, url(path), headers, body === undefined ? undefined : JSON.stringify(body), ENV);

describe("the InvokeRestApi call for an Airflow request", () => {
  it("Path without /api/v2 (ids stay percent-encoded), the query as an object (a repeated key as a list), the JSON body", () => {
    expect(inv("GET", "/api/v2/connections?limit=100&offset=0&order_by=conn_type&order_by=-port")).toEqual({
      Method: "GET",
      Path: "/connections",
      QueryParameters: { limit: "100", offset: "0", order_by: ["conn_type", "-port"] },
    });
    expect(inv("PATCH", "/api/v2/connections/a%2Fb?update_mask=host", { connection_id: "a/b", host: "h" })).toEqual({
      Method: "PATCH",
      Path: "/connections/a%2Fb",
      QueryParameters: { update_mask: "host" },
      Body: { connection_id: "a/b", host: "h" },
    });
    expect(
      inv("DELETE", "/api/v2/connections/x", undefined, { accept: "application/json", "user-agent": "a" }),
    ).toEqual({ Method: "DELETE", Path: "/connections/x" });
  });

  it("a path outside /api/v2 answers 404 (the catalog falls back); /auth/token is a usage error; so is what MWAA cannot carry", async () => {
    const r = inv("GET", "/ui/connections/hook_meta");
    expect(r).toBeInstanceOf(Response);
    expect((r as Response).status).toBe(404);
    expect(await (r as Response).json()).toEqual({
      detail:
        "/ui/connections/hook_meta cannot be reached through MWAA InvokeRestApi, which calls the Airflow REST API (/api/v2) only",
    });
    expect(() => inv("POST", "/auth/token", { username: "u" })).toThrow(/needs no login/);
    expect(() =>
      inv("GET", "/api/v2/connections/enqueue-test", undefined, { "Airflow-Connection-Test-Token": "t" }),
    ).toThrow(/needs the request header Airflow-Connection-Test-Token, which MWAA InvokeRestApi cannot send/);
    expect(() => inv("HEAD", "/api/v2/version")).toThrow(UsageError);
    // Path: at most 64 characters (/connections/ is 13, so ids of up to 51)
    expect(inv("GET", `/api/v2/connections/${"x".repeat(51)}`)).toMatchObject({
      Path: `/connections/${"x".repeat(51)}`,
    });
    expect(() => inv("GET", `/api/v2/connections/${"x".repeat(52)}`)).toThrow(
      /is 65 characters: MWAA InvokeRestApi takes paths of at most 64/,
    );
  });
});

describe("the 6 MB limit", () => {
  const bulk = (n: number, size: number): Invocation => ({
    Method: "PATCH",
    Path: "/connections",
    Body: {
      actions: [
        {
          action: "create",
          action_on_existence: "fail",
          entities: Array.from({ length: n }, (_, i) => ({
            connection_id: `c${i}`,
            conn_type: "http",
            extra: "x".repeat(size),
          })),
        },
        { action: "delete", entities: ["gone"] },
      ],
    },
  });

  it("a request that fits goes whole; a bulk request over it goes in parts under it, in order, each action apart", () => {
    const small = bulk(3, 10);
    expect(fitted(small, ENV, 2000)).toEqual([small]);
    const parts = fitted(bulk(10, 300), ENV, 2000);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(2000);
      expect((p.Body as { actions: unknown[] }).actions).toHaveLength(1);
    }
    const sent = parts.flatMap((p) =>
      (
        p.Body as { actions: Array<{ action: string; entities: Array<{ connection_id?: string } | string> }> }
      ).actions.flatMap((a) => a.entities.map((e) => `${a.action}:${typeof e === "string" ? e : e.connection_id}`)),
    );
    expect(sent).toEqual([...Array.from({ length: 10 }, (_, i) => `create:c${i}`), "delete:gone"]);
    // every part keeps the action's options
    expect(parts[0]!.Body).toMatchObject({ actions: [{ action: "create", action_on_existence: "fail" }] });
  });

  it("refused before sending: any other request over it, and one connection over it", () => {
    const post: Invocation = {
      Method: "POST",
      Path: "/connections",
      Body: { connection_id: "big", extra: "x".repeat(3000) },
    };
    expect(() => fitted(post, ENV, 2000)).toThrow(
      /POST \/connections is 0\.0 MB .* MWAA takes at most 0\.0 MB .*nothing was sent/,
    );
    expect(() => fitted(bulk(1, 3000), ENV, 2000)).toThrow(/connection c0 is .* MWAA takes at most .*nothing was sent/);
    expect(() => fitted(post, ENV)).not.toThrow();
  });
});

describe("the front's signature check (independent of @smithy/signature-v4)", () => {
  // AWS's published SigV4 test suite, get-vanilla and post-vanilla.
  const example = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  const at = new Date("2015-08-30T12:36:00Z");
  const vanilla = (method: string, signature: string): SignedRequest => ({
    method,
    path: "/",
    query: "",
    body: Buffer.alloc(0),
    headers: {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
  });

  it("accepts AWS's published test vectors and refuses any change to them", () => {
    const get = vanilla("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    const post = vanilla("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    expect(verifySigV4(get, example, "us-east-1", at, "service").ok).toBe(true);
    expect(verifySigV4(post, example, "us-east-1", at, "service").ok).toBe(true);
    expect(verifySigV4({ ...get, method: "POST" }, example, "us-east-1", at, "service")).toMatchObject({
      ok: false,
      type: "InvalidSignatureException",
    });
    expect(verifySigV4({ ...get, body: Buffer.from("x") }, example, "us-east-1", at, "service").ok).toBe(false);
    expect(verifySigV4({ ...get, path: "/x" }, example, "us-east-1", at, "service").ok).toBe(false);
    expect(verifySigV4(get, { ...example, secretAccessKey: "other" }, "us-east-1", at, "service").ok).toBe(false);
    expect(verifySigV4(get, { ...example, accessKeyId: "AKIDOTHER" }, "us-east-1", at, "service")).toMatchObject({
      type: "UnrecognizedClientException",
    });
    expect(verifySigV4(get, example, "us-east-1", new Date("2015-08-30T12:50:00Z"), "service")).toMatchObject({
      message: "Signature expired",
    });
  });

  it("accepts what @smithy/signature-v4 signs for service airflow (with a session token), and nothing else", async () => {
    const creds = { ...KEY, sessionToken: "IQoJb3JpZ2luX2VjEXAMPLESESSION" };
    const signer = new SignatureV4({
      service: "airflow",
      region: REGION,
      credentials: creds,
      sha256: Hash.bind(null, "sha256"),
    });
    const body = JSON.stringify({ Method: "GET", Path: "/connections" });
    const signed = await signer.sign({
      method: "POST",
      protocol: "https:",
      hostname: "env.airflow.eu-west-1.amazonaws.com",
      path: "/restapi/airconn-test",
      query: {},
      headers: { host: "env.airflow.eu-west-1.amazonaws.com", "content-type": "application/json" },
      body,
    });
    const req: SignedRequest = {
      method: "POST",
      path: "/restapi/airconn-test",
      query: "",
      headers: signed.headers as Record<string, string>,
      body: Buffer.from(body),
    };
    expect(verifySigV4(req, creds, REGION)).toMatchObject({ ok: true });
    expect(verifySigV4(req, creds, "us-east-1").ok).toBe(false);
    expect(verifySigV4(req, { ...creds, sessionToken: "other" }, REGION).ok).toBe(false);
    expect(verifySigV4({ ...req, body: Buffer.from(body.replace("GET", "PUT")) }, creds, REGION).ok).toBe(false);
    expect(verifySigV4({ ...req, headers: { ...req.headers, "content-type": "text/plain" } }, creds, REGION).ok).toBe(
      false,
    );
  });
});

describe("mwaaFetch against the front and the local Airflow", () => {
  let af: FakeAirflow;
  let front: MwaaFront;
  const secrets: string[] = [];
  beforeAll(async () => {
    af = await startFakeAirflow({ seed: 3, testConnection: "Enabled" });
    front = await startMwaaFront({
      airflowUrl: af.url,
      adminToken: af.adminToken,
      region: REGION,
      environments: [ENV],
      ...KEY,
      sessionToken: "IQoJb3JpZ2luX2VjSESSION",
    });
  });
  afterAll(async () => {
    await front?.close();
    await af?.close();
  });
  afterEach(() => {
    front.accessDenied = false;
    front.throttle = 0;
  });

  const api = (o: { creds?: AwsCredentials; environment?: string } = {}) => {
    const env = { AWS_ENDPOINT_URL_MWAA: front.url };
    const fetch = mwaaFetch({
      mwaa: settings(o.environment),
      env,
      secret: (v) => secrets.push(v),
      credentials: async () => o.creds ?? { ...KEY, sessionToken: "IQoJb3JpZ2luX2VjSESSION" },
    });
    return new AirflowApi({ baseUrl: `mwaa://${o.environment ?? ENV}`, fetch, retries: 2, sleep: async () => {} });
  };

  it("every call signed and shaped as InvokeRestApi; the Airflow answer comes back as if direct", async () => {
    const from = front.calls.length;
    const a = api();
    expect((await a.version()).version).toBe(af.airflowVersion);
    expect((await a.get("conn_00001")).connection_id).toBe("conn_00001");
    const page = await a.page({ limit: 2, offset: 1, orderBy: ["conn_type", "-port"] });
    expect(page.connections.map((c) => c.connection_id)).toEqual(
      (await asDirect(af).page({ limit: 2, offset: 1, orderBy: ["conn_type", "-port"] })).connections.map(
        (c) => c.connection_id,
      ),
    );
    await a.create({ connection_id: "via_mwaa", conn_type: "http", host: "h" });
    expect(af.stored("via_mwaa")).toMatchObject({ conn_type: "http", host: "h" });
    await a.delete("via_mwaa");
    expect(af.stored("via_mwaa")).toBeUndefined();
    const calls = front.calls.slice(from);
    expect(calls.map((c) => [c.signed, c.invocation?.Method, c.invocation?.Path, c.airflowStatus])).toEqual([
      [true, "GET", "/version", 200],
      [true, "GET", "/connections/conn_00001", 200],
      [true, "GET", "/connections", 200],
      [true, "POST", "/connections", 201],
      [true, "DELETE", "/connections/via_mwaa", 204],
    ]);
    expect(calls[2]!.invocation!.QueryParameters).toEqual({
      limit: "2",
      offset: "1",
      order_by: ["conn_type", "-port"],
    });
    expect(calls[0]!.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-date", "x-amz-security-token"]));
    // the credentials' secrets are handed over for redaction
    expect(secrets).toEqual(expect.arrayContaining([KEY.secretAccessKey, "IQoJb3JpZ2luX2VjSESSION"]));
  });

  it("an Airflow error (RestApiClientException) is that Airflow answer: 404 is exit 3, 409 exit 5", async () => {
    const a = api();
    const miss = await a.get("nope").catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(ApiError);
    expect(miss).toMatchObject({
      status: 404,
      exitCode: EXIT.NOT_FOUND,
      detail: "The Connection with connection_id: `nope` was not found",
    });
    const dup = await a.create({ connection_id: "conn_00001", conn_type: "http" }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ status: 409, exitCode: EXIT.CONFLICT });
    expect(front.calls.at(-1)).toMatchObject({ signed: true, airflowStatus: 409 });
  });

  it("a wrong secret key: InvalidSignatureException, exit 4; AccessDeniedException: exit 4 with AWS's message", async () => {
    const bad = await api({ creds: { ...KEY, secretAccessKey: "wrong", sessionToken: "IQoJb3JpZ2luX2VjSESSION" } })
      .get("conn_00001")
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MwaaAuthError);
    expect(bad).toMatchObject({ exitCode: EXIT.AUTH, type: "InvalidSignatureException" });
    expect((bad as Error).message).toMatch(
      /^MWAA refused the request \(InvalidSignatureException: The request signature we calculated/,
    );
    expect(front.calls.at(-1)).toMatchObject({ signed: false, refused: "InvalidSignatureException" });

    front.accessDenied = true;
    const denied = (await api()
      .get("conn_00001")
      .catch((e: unknown) => e)) as MwaaAuthError;
    expect(denied).toBeInstanceOf(MwaaAuthError);
    expect(denied.exitCode).toBe(EXIT.AUTH);
    expect(denied.message).toBe(
      `MWAA refused the request (AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: airflow:InvokeRestApi on resource: arn:aws:airflow:${REGION}:123456789012:role/${ENV}/Op)`,
    );
    expect(denied.hint).toMatch(/airflow:InvokeRestApi on arn:aws:airflow:eu-west-1:ACCOUNT:role\/airconn-test\/ROLE/);
  });

  it("an unknown environment: a wrong-server error (exit 1) naming it and the region; throttling is retried as a 429", async () => {
    const gone = (await api({ environment: "Nowhere" })
      .get("x")
      .catch((e: unknown) => e)) as NotAirflowApiError;
    expect(gone).toBeInstanceOf(NotAirflowApiError);
    expect(gone.exitCode).toBe(EXIT.FAILURE);
    expect(gone.message).toBe(
      'MWAA environment "Nowhere" was not found in eu-west-1 (ResourceNotFoundException: Environment Nowhere was not found)',
    );

    front.throttle = 2;
    const from = front.calls.length;
    // a write too: a 429 says nothing was applied
    await api().create({ connection_id: "after_throttle", conn_type: "http" });
    expect(front.calls.slice(from).map((c) => c.refused ?? c.airflowStatus)).toEqual([
      "ThrottlingException",
      "ThrottlingException",
      201,
    ]);
    front.throttle = 5;
    const still = await api()
      .get("conn_00001")
      .catch((e: unknown) => e);
    expect(still).toMatchObject({
      status: 429,
      detail: "MWAA throttled the request (ThrottlingException: Rate exceeded)",
    });
  });

  it("no credentials: exit 4 naming the environment, what the chain said, and where credentials come from", async () => {
    const fetch = mwaaFetch({
      mwaa: settings(),
      env: { AWS_ENDPOINT_URL_MWAA: front.url },
      secret: () => {},
      credentials: async () => {
        throw new Error("Could not load credentials from any providers");
      },
    });
    const e = (await new AirflowApi({ baseUrl: `mwaa://${ENV}`, fetch })
      .get("x")
      .catch((x: unknown) => x)) as MwaaAuthError;
    expect(e).toBeInstanceOf(MwaaAuthError);
    expect(e.message).toBe(
      'no AWS credentials for MWAA environment "airconn-test": Could not load credentials from any providers',
    );
    expect(e.hint).toMatch(/AWS_ACCESS_KEY_ID .* AWS_PROFILE/);
  });

  it("credentials that never come: --timeout ends the wait as it ends a request", async () => {
    const fetch = mwaaFetch({
      mwaa: settings(),
      env: { AWS_ENDPOINT_URL_MWAA: front.url },
      secret: () => {},
      credentials: () => new Promise<AwsCredentials>(() => {}),
    });
    const a = new AirflowApi({ baseUrl: `mwaa://${ENV}`, fetch, via: new URL(front.url), timeoutMs: 200, retries: 0 });
    const started = performance.now();
    expect((await a.get("x").catch((x: unknown) => x)) as Error).toMatchObject({
      message: `no answer from ${front.url} within 0.2 s`,
    });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("a network error names the MWAA endpoint, not mwaa://", async () => {
    // a port nothing listens on any more
    const srv = createServer().listen(0, "127.0.0.1");
    await once(srv, "listening");
    const closed = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    await new Promise((r) => srv.close(r));
    const fetch = mwaaFetch({
      mwaa: settings(),
      env: { AWS_ENDPOINT_URL_MWAA: closed },
      secret: () => {},
      credentials: async () => KEY,
    });
    const a = new AirflowApi({ baseUrl: `mwaa://${ENV}`, fetch, via: new URL(closed), retries: 0 });
    expect((await a.get("x").catch((x: unknown) => x)) as Error).toMatchObject({
      message: `cannot connect to ${closed}: connection refused`,
    });
  });
});

/** The same server with its admin token, directly: what the answers through MWAA are compared with. */
const asDirect = (af: FakeAirflow) => new AirflowApi({ baseUrl: af.url, token: af.adminToken });
