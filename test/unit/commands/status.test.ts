// `airconn status`: the profile and URL with their sources, the server's version, whether the token works and
// until when, whether connection tests are enabled (a probe that creates nothing), and what is wrong when something
// is (problem url, network, token) with its exit code. Never the token.
import { afterEach, describe, expect, it } from "vitest";
import { runStatus } from "../../../src/commands/status.js";
import { airflow32, airflow33, closeAirflows, fakeAirflow, setup } from "../commands-support.js";

afterEach(closeAirflows);

// The server shows the password and extra.token as "***".
const good = {
  connection_id: "pg",
  conn_type: "postgres",
  host: "db",
  port: 5432,
  login: "app",
  password: "real",
  extra: '{"token": "t0k3n", "region": "eu"}',
};

describe("status", () => {
  /** The expiry the token says (a JWT's exp claim), as status prints it. */
  const expiry = (jwt: string) =>
    new Date(
      (JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000,
    ).toISOString();

  it("-o json: version, auth ok, token expiry, tests enabled (probe: unknown conn_type, nothing created)", async () => {
    const af = await airflow33([good]);
    const token = af.mintToken({ expiresInSeconds: 3600 });
    const s = setup({ airflow: af, globals: { output: "json" }, env: { AIRCONN_TOKEN: token } });
    expect(await s.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      api_url: af.url,
      api_url_source: "AIRCONN_API_URL",
      reachable: true,
      server_version: "3.3.2",
      auth: "ok",
      token_source: "AIRCONN_TOKEN",
      token_expires: expiry(token),
      connection_tests: "enabled",
      worker_tests: true,
    });
    const probe = af.requests.find((q) => q.path === "/api/v2/connections/test")!.json as {
      conn_type: string;
      connection_id: string;
    };
    expect(probe.conn_type).toBe("airconn_status_probe");
    expect(af.all().map((c) => c.connection_id)).toEqual(["pg"]);
    expect(s.io.stdout()).not.toContain(token);
  });

  it("tests disabled → disabled; a refused token → exit 4; no token → exit 4; unreachable → exit 1", async () => {
    const off = setup({ airflow: await airflow32([], { testConnection: "Disabled" }), globals: { output: "json" } });
    expect(await off.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(off.io.stdout())).toMatchObject({
      server_version: "3.2.1",
      connection_tests: "disabled",
      worker_tests: false,
    });

    // a token that expired a minute ago: the server answers 401 "Token Expired" (its version route needs no token)
    const expired = await airflow33();
    const e = setup({
      airflow: expired,
      globals: { output: "json" },
      env: { AIRCONN_TOKEN: expired.mintToken({ expiresInSeconds: -60 }) },
    });
    expect(await e.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(e.io.stdout())).toMatchObject({
      server_version: "3.3.2",
      auth: "expired",
      auth_detail: "Token Expired",
      connection_tests: "unknown",
    });
    expect(e.io.stderr()).toMatch(/^airconn: the token does not work: Token Expired\nhint: /);
    expect(expired.requests.filter((q) => q.status === 401).length).toBeGreaterThan(0);

    const n = setup({ airflow: await airflow33(), globals: { output: "json" }, env: { AIRCONN_TOKEN: "" } });
    expect(await n.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(n.io.stdout())).toMatchObject({ auth: "no token", server_version: "3.3.2" });

    // nothing listens there
    const u = setup({
      airflow: await airflow33(),
      globals: { output: "json" },
      env: { AIRCONN_API_URL: "http://127.0.0.1:9" },
    });
    expect(await u.run((d) => runStatus(d))).toBe(1);
    expect(JSON.parse(u.io.stdout())).toMatchObject({ reachable: false, server_version: null });
  });
});

describe("status: output and sources", () => {
  it("plain: one line per item, tab-separated, the sources named; on a terminal aligned; the token never shown", async () => {
    const af = await airflow32();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runStatus(d))).toBe(0);
    expect(s.io.stdout()).toMatch(
      new RegExp(
        [
          "^profile\tdefault \\(from default\\)",
          `api_url\t${af.url.replace(/\./g, "\\.")} \\(from AIRCONN_API_URL\\)`,
          "server\tAirflow 3\\.2\\.1",
          "auth\tok \\(token from AIRCONN_TOKEN; expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(in 24 h\\)\\)",
          "connection_tests\tenabled",
          "worker_tests\tnot available \\(needs Airflow 3\\.3\\)\n$",
        ].join("\n"),
      ),
    );
    expect(s.io.stderr()).toBe("");
    const t = setup({ airflow: af, tty: true, env: { NO_COLOR: "1" } });
    expect(await t.run((d) => runStatus(d))).toBe(0);
    expect(t.io.stdout()).toMatch(/^profile {11}default \(from default\)\napi_url {11}http:/);
    for (const out of [s.io.stdout(), t.io.stdout()]) expect(out).not.toContain(af.adminToken);
  });

  it("AIRCONN_USERNAME/AIRCONN_PASSWORD: logs in (POST /auth/token) and names that source", async () => {
    const af = await airflow32();
    const s = setup({
      airflow: af,
      globals: { output: "json" },
      env: { AIRCONN_TOKEN: "", AIRCONN_USERNAME: "admin", AIRCONN_PASSWORD: "admin" },
    });
    expect(await s.run((d) => runStatus(d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      auth: "ok",
      token_source: "AIRCONN_USERNAME/AIRCONN_PASSWORD",
      token_expires: expect.stringMatching(/^\d{4}-/),
    });
    expect(af.requests.filter((q) => q.path === "/auth/token").map((q) => q.status)).toEqual([201]);
  });

  it("a token the server refuses (Invalid JWT): auth refused, problem token, exit 4", async () => {
    const af = await airflow32();
    const s = setup({ airflow: af, globals: { output: "json" }, env: { AIRCONN_TOKEN: "not-a-jwt" } });
    expect(await s.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      reachable: true,
      server_version: "3.2.1",
      auth: "refused",
      auth_detail: "Invalid JWT token",
      problem: "token",
      connection_tests: "unknown",
    });
    expect(s.io.stderr()).toBe(
      "airconn: the token does not work: Invalid JWT token\nhint: run `airconn login` again\n",
    );
  });

  it("a valid token not allowed to read connections (403 Forbidden): auth forbidden, exit 4", async () => {
    const af = await airflow32([], { faults: { status: 403, methods: ["GET"], pathPattern: "/connections$" } });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runStatus(d))).toBe(4);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      auth: "forbidden",
      auth_detail: "Forbidden",
      problem: "token",
      connection_tests: "enabled",
    });
  });

  it("something answers, but not the Airflow API (a route 404): problem url, exit 1 with the URL and a hint, no token sent", async () => {
    const af = await fakeAirflow([], {
      intercept: (r) =>
        r.path.startsWith("/api/v2/") ? { status: 404, json: { error: "API route not found" } } : undefined,
    });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runStatus(d))).toBe(1);
    expect(JSON.parse(s.io.stdout())).toMatchObject({
      reachable: true,
      server_version: null,
      auth: "unknown",
      problem: "url",
      error: expect.stringContaining(`${af.url}/api/v2/version answered 404`),
    });
    expect(s.io.stderr()).toMatch(
      /^airconn: GET .*\/api\/v2\/version answered 404 .* does not serve the Airflow API\nhint: is Airflow served under a path/,
    );
    expect(af.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/v2/version"]);
    expect(af.requests[0]!.headers.authorization).toBeUndefined();
  });
});
