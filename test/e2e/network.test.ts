// Issue 18, items 3 and 4: a wrong URL is never success, and TLS works through proxies and from profiles. Started
// here, in front of the local server: a node:http front that serves the API under /airflow only (FastAPI's
// {"detail":"Not Found"} elsewhere), a self-signed HTTPS front (a CA and a certificate made with openssl at start),
// an HTTP CONNECT proxy that counts the tunnels it opens, and a server answering {"foo": 1} to every API request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { registerSecret, tempDir, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 5 }, { prefix: "airconn-network-" });

/** Forwards one request to the local server at `port`, with `path` in place of the request's. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, port: number, path: string): void {
  const up = http.request({ host: "127.0.0.1", port, method: req.method, path, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(up);
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as net.AddressInfo).port;
}

const close = (server: net.Server | undefined) =>
  new Promise<void>((r) => {
    if (!server) return r();
    (server as Partial<http.Server>).closeAllConnections?.();
    server.close(() => r());
  });

let dirs: ReturnType<typeof tempDir>;
let caFile: string;
let otherCaFile: string;
let basePathServer: http.Server;
let basePathUrl: string; // http://127.0.0.1:P, the API under /airflow only
let tlsServer: https.Server;
let tlsUrl: string; // https://127.0.0.1:P, the local server behind TLS
let proxyServer: http.Server;
let proxyUrl: string; // an HTTP CONNECT proxy
let shapeFake: FakeAirflow; // answers {"foo": 1} with 200 to every API request
let closedPort: number;
/** The CONNECT requests the proxy saw ("host:port"), in order. */
const tunnels: string[] = [];
/** Hosts the proxy refuses to open a tunnel to (403). */
const refused = new Set<string>();

beforeAll(async () => {
  dirs = tempDir("airconn-network-tls-");
  // A CA, a server certificate for localhost and 127.0.0.1 signed by it, and a second CA that signed nothing.
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    throw new Error("these tests need openssl on PATH to make a CA and a certificate");
  }
  const d = (f: string) => join(dirs.dir, f);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    d("ca.key"),
    "-out",
    d("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=airconn test CA",
  );
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    d("other.key"),
    "-out",
    d("other.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=another CA",
  );
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", d("srv.key"), "-out", d("srv.csr"), "-subj", "/CN=localhost");
  writeFileSync(d("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  ssl(
    "x509",
    "-req",
    "-in",
    d("srv.csr"),
    "-CA",
    d("ca.pem"),
    "-CAkey",
    d("ca.key"),
    "-CAcreateserial",
    "-out",
    d("srv.pem"),
    "-days",
    "2",
    "-extfile",
    d("ext.cnf"),
  );
  caFile = d("ca.pem");
  otherCaFile = d("other.pem");

  const target = fake.server.port;
  basePathServer = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/airflow" || url.startsWith("/airflow/"))
      return forward(req, res, target, url.slice("/airflow".length) || "/");
    req.resume();
    res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}');
  });
  basePathUrl = `http://127.0.0.1:${await listen(basePathServer)}`;

  tlsServer = https.createServer({ key: readFileSync(d("srv.key")), cert: readFileSync(d("srv.pem")) }, (req, res) =>
    forward(req, res, target, req.url ?? "/"),
  );
  tlsUrl = `https://127.0.0.1:${await listen(tlsServer)}`;

  proxyServer = http.createServer((req, res) => {
    req.resume();
    res.writeHead(405).end();
  });
  proxyServer.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const where = req.url ?? "";
    tunnels.push(where);
    socket.on("error", () => {});
    if (refused.has(where)) {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    const [host, port] = [where.slice(0, where.lastIndexOf(":")), Number(where.slice(where.lastIndexOf(":") + 1))];
    const up = net.connect(port, host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("close", () => up.destroy());
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxyServer)}`;

  shapeFake = await startFakeAirflow({
    seed: 3,
    intercept: (r) => (r.path.startsWith("/api/v2/") ? { status: 200, json: { foo: 1 } } : undefined),
  });
  registerSecret(shapeFake.adminToken);
  registerSecret(fake.server.adminToken);

  const probe = net.createServer();
  closedPort = await listen(probe);
  await close(probe);
});

afterAll(async () => {
  await Promise.all([close(basePathServer), close(tlsServer), close(proxyServer), shapeFake?.close()]);
  dirs?.cleanup();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) => fake.run(args, { env });
/** The tunnels opened by the proxy while `f` ran. */
async function throughProxy(f: () => Promise<CliResult>): Promise<{ r: CliResult; opened: string[] }> {
  const from = tunnels.length;
  const r = await f();
  return { r, opened: tunnels.slice(from) };
}

/** stderr's `airconn:` line (warnings aside) and its `hint:` line. */
function errorLines(r: CliResult): { message: string; hint: string } {
  const lines = r.stderr.split("\n").filter((l) => l && !l.startsWith("airconn: warning: ") && !l.startsWith("* "));
  return {
    message: (lines.find((l) => l.startsWith("airconn: ")) ?? "").slice(9),
    hint: (lines.find((l) => l.startsWith("hint: ")) ?? "").slice(6),
  };
}

describe("a wrong base URL is never success (Airflow served under /airflow, the URL given without it)", () => {
  const ROUTE =
    /^(GET|DELETE) http:\/\/127\.0\.0\.1:\d+\/api\/v2\/connections(\/conn_00001)? answered 404 \{"detail":"Not Found"\}: no such route, so http:\/\/127\.0\.0\.1:\d+ does not serve the Airflow API$/;

  it("with the path, the front serves the local server (the setup works)", async () => {
    const r = await cli(["get", "conn_00001", "-o", "json"], { AIRCONN_API_URL: `${basePathUrl}/airflow` });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
  });

  it("delete --yes --if-exists: exit 1 with a hint about the base path, not 'nothing deleted' and 0", async () => {
    const before = fake.server.requests.length;
    const r = await cli(["delete", "conn_00001", "--yes", "--if-exists"], { AIRCONN_API_URL: basePathUrl });
    expect(r.code, r.stderr).toBe(1);
    const e = errorLines(r);
    expect(e.message).toMatch(ROUTE);
    expect(e.hint).toMatch(/^is Airflow served under a path such as \/airflow\? Check --api-url/);
    expect(r.stderr).not.toMatch(/nothing deleted/);
    expect(fake.since(before)).toEqual([]);
    expect(fake.server.stored("conn_00001")).toBeDefined();
  });

  it("delete of several ids with --if-exists: exit 1 with the one error, no id reported skipped", async () => {
    const r = await cli(["delete", "conn_00001", "conn_00002", "--yes", "--if-exists", "-o", "json"], {
      AIRCONN_API_URL: basePathUrl,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(ROUTE);
    expect(r.stdout).toBe("");
  });

  it("get: exit 1 (not 3, 'not found'), naming the URL", async () => {
    const r = await cli(["get", "conn_00001"], { AIRCONN_API_URL: basePathUrl });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(ROUTE);
    expect(r.stdout).toBe("");
  });

  it("list: exit 1 (not 3)", async () => {
    const r = await cli(["list"], { AIRCONN_API_URL: basePathUrl });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(ROUTE);
  });

  it('Airflow\'s own API catch-all ({"error": "API route not found"}) is a wrong URL too, exit 1', async () => {
    const r = await cli(["get", "conn_00001"], { AIRCONN_API_URL: `${fake.server.url}/api/v2/extra` });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/extra\/api\/v2\/connections\/conn_00001 answered 404 \{"error":"API route not found"\}: no such route/,
    );
  });

  it("a missing connection is still 'not found' (exit 3): only a route 404 is a wrong URL", async () => {
    const r = await cli(["get", "no_such_conn"], { AIRCONN_API_URL: `${basePathUrl}/airflow` });
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r).message).toBe("The Connection with connection_id: `no_such_conn` was not found");
    const d = await cli(["delete", "no_such_conn", "--yes", "--if-exists"], {
      AIRCONN_API_URL: `${basePathUrl}/airflow`,
    });
    expect(d.code, d.stderr).toBe(0);
  });

  it("status says the URL is wrong (problem url, exit 1), not that the token does not work (exit 4)", async () => {
    const r = await cli(["status", "-o", "json"], { AIRCONN_API_URL: basePathUrl });
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as { problem: string; reachable: boolean; error: string; auth: string };
    expect(s.problem).toBe("url");
    expect(s.reachable).toBe(true);
    expect(s.error).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/version answered 404 \{"detail":"Not Found"\}: no such route/,
    );
    expect(errorLines(r).message).toBe(s.error);
    expect(errorLines(r).hint).toMatch(/served under a path such as \/airflow/);
    expect(r.stderr).not.toMatch(/token/i);
  });
});

describe("status tells the token apart from the URL", () => {
  it("a refused token at the right URL: problem token, exit 4", async () => {
    const r = await cli(["status", "-o", "json"], { AIRCONN_TOKEN: "not-a-valid-jwt-4f9c" });
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ problem: "token", reachable: true, auth: "refused" });
  });
});

describe('an answer that is not what Airflow sends ({"foo": 1} with 200)', () => {
  const env = () => ({ AIRCONN_API_URL: shapeFake.url, AIRCONN_TOKEN: shapeFake.adminToken });
  const SHAPE = (method: string, path: string) =>
    new RegExp(
      `^${method} http://127\\.0\\.0\\.1:\\d+${path} answered 200 with \\{"foo":1\\}, which is not what Airflow sends \\(`,
    );

  it("list: exit 1 naming the URL, not 'Cannot read properties of undefined'", async () => {
    const r = await cli(["list"], env());
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(SHAPE("GET", "/api/v2/connections"));
    expect(errorLines(r).message).toMatch(/\(connections is missing, not a list\)$/);
    expect(r.stderr).not.toMatch(/unexpected error|Cannot read properties/);
  });

  it("export: the same, nothing on stdout", async () => {
    const r = await cli(["export", "-", "--format", "json"], env());
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(SHAPE("GET", "/api/v2/connections"));
    expect(r.stdout).toBe("");
  });

  it("get: exit 1, never an empty record with exit 0", async () => {
    const r = await cli(["get", "x"], env());
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(SHAPE("GET", "/api/v2/connections/x"));
    expect(errorLines(r).message).toMatch(/\(connection_id is missing\)$/);
    expect(errorLines(r).hint).toMatch(/something other than the Airflow API answers at this URL/);
    expect(r.stdout).toBe("");
  });

  it("delete: a 200 with a body is not Airflow's 204, so nothing is reported deleted", async () => {
    const r = await cli(["delete", "x", "--yes"], env());
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toMatch(SHAPE("DELETE", "/api/v2/connections/x"));
    expect(r.stderr).not.toMatch(/Deleted/);
  });

  it("status: the URL is wrong (problem url) and the error says why, not 'unreachable' with error null", async () => {
    const r = await cli(["status", "-o", "json"], env());
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as { problem: string; error: string | null };
    expect(s.problem).toBe("url");
    expect(s.error).toMatch(SHAPE("GET", "/api/v2/version"));
  });
});

describe("TLS: a private CA from the flag, the environment or the profile", () => {
  it("without the CA: exit 1, a TLS error whose hint names --ca-cert, AIRCONN_CA_CERT and the profile", async () => {
    const r = await cli(["--retries", "0", "get", "conn_00001"], { AIRCONN_API_URL: tlsUrl });
    expect(r.code, r.stderr).toBe(1);
    const e = errorLines(r);
    expect(e.message).toMatch(
      /^TLS error talking to https:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate$/,
    );
    expect(e.hint).toMatch(
      /--ca-cert <file> \(or AIRCONN_CA_CERT, or keep it in the profile: `airconn profile set NAME --ca-cert FILE`\)/,
    );
  });

  it("--ca-cert: works directly", async () => {
    const r = await cli(["--ca-cert", caFile, "get", "conn_00001", "-o", "json"], { AIRCONN_API_URL: tlsUrl });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
  });

  it("AIRCONN_CA_CERT works; a --ca-cert flag wins over it", async () => {
    const r = await cli(["get", "conn_00001", "-o", "json"], { AIRCONN_API_URL: tlsUrl, AIRCONN_CA_CERT: caFile });
    expect(r.code, r.stderr).toBe(0);
    const wrong = await cli(["--retries", "0", "--ca-cert", otherCaFile, "get", "conn_00001"], {
      AIRCONN_API_URL: tlsUrl,
      AIRCONN_CA_CERT: caFile,
    });
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(errorLines(wrong).message).toMatch(/^TLS error talking to/);
  });

  it("AIRCONN_CA_CERT that is not a PEM file: exit 2 naming the variable, nothing sent", async () => {
    const before = fake.server.requests.length;
    const r = await cli(["get", "conn_00001"], { AIRCONN_API_URL: tlsUrl, AIRCONN_CA_CERT: join(dirs.dir, "ext.cnf") });
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r).message).toMatch(/^AIRCONN_CA_CERT .*ext\.cnf holds no PEM certificate/);
    expect(fake.since(before)).toEqual([]);
  });

  it("profile set --ca-cert keeps the CA (absolute path) for every command of the profile; profile show says so", async () => {
    const cfg = tempDir("airconn-network-cfg-");
    try {
      const env = { AIRCONN_CONFIG_DIR: cfg.dir, AIRCONN_API_URL: undefined };
      const set = await cli(["profile", "set", "corp", "--api-url", tlsUrl, "--ca-cert", "ca.pem"], env);
      // a relative path is resolved against the folder it was given in
      expect(set.code, set.stderr).toBe(2);
      expect(errorLines(set).message).toMatch(/^cannot read --ca-cert .*ca\.pem: ENOENT$/);
      const ok = await fake.run(["profile", "set", "corp", "--api-url", tlsUrl, "--ca-cert", "ca.pem"], {
        env,
        cwd: dirs.dir,
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain(`ca_cert ${caFile}`);
      expect(JSON.parse(readFileSync(join(cfg.dir, "config.json"), "utf8")).profiles.corp).toEqual({
        api_url: tlsUrl,
        ca_cert: caFile,
      });
      const get = await cli(["-p", "corp", "get", "conn_00001", "-o", "json"], env);
      expect(get.code, get.stderr).toBe(0);
      const show = await cli(["-p", "corp", "profile", "show", "-o", "json"], env);
      expect(JSON.parse(show.stdout)).toMatchObject({
        ca_cert: caFile,
        ca_cert_source: "profile corp",
        insecure: false,
      });
      // the environment ranks above the profile
      const envWins = await cli(["-p", "corp", "--retries", "0", "get", "conn_00001"], {
        ...env,
        AIRCONN_CA_CERT: otherCaFile,
      });
      expect(envWins.code, envWins.stderr).toBe(1);
      // '' removes it
      const rm = await cli(["profile", "set", "corp", "--ca-cert", ""], env);
      expect(rm.code, rm.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(cfg.dir, "config.json"), "utf8")).profiles.corp).toEqual({ api_url: tlsUrl });
    } finally {
      cfg.cleanup();
    }
  });

  it("profile set --insecure: works, and every use warns; --no-insecure turns verification back on", async () => {
    const cfg = tempDir("airconn-network-cfg-");
    try {
      const env = { AIRCONN_CONFIG_DIR: cfg.dir, AIRCONN_API_URL: undefined };
      const set = await cli(["profile", "set", "lab", "--api-url", tlsUrl, "--insecure"], env);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stderr).toMatch(/^airconn: warning: profile lab does not verify the server's certificate/m);
      for (let i = 0; i < 2; i++) {
        const r = await cli(["-p", "lab", "get", "conn_00001", "-o", "json"], env);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(
          /^airconn: warning: the certificate of 127\.0\.0\.1:\d+ is not verified \(insecure from profile lab\): .*airconn profile set lab --ca-cert FILE$/m,
        );
      }
      // a CA given on the command line wins over the profile's insecure: verified, and no warning
      const withCa = await cli(["-p", "lab", "--ca-cert", caFile, "get", "conn_00001"], env);
      expect(withCa.code, withCa.stderr).toBe(0);
      expect(withCa.stderr).not.toMatch(/not verified/);
      const off = await cli(["profile", "set", "lab", "--no-insecure"], env);
      expect(off.code, off.stderr).toBe(0);
      const r = await cli(["-p", "lab", "--retries", "0", "get", "conn_00001"], env);
      expect(r.code, r.stderr).toBe(1);
      expect(errorLines(r).message).toMatch(/^TLS error talking to/);
    } finally {
      cfg.cleanup();
    }
  });

  it("a global --insecure before `profile set` is for that run: it is not stored", async () => {
    const cfg = tempDir("airconn-network-cfg-");
    try {
      const r = await cli(["--insecure", "profile", "set", "p1", "--api-url", tlsUrl], { AIRCONN_CONFIG_DIR: cfg.dir });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(cfg.dir, "config.json"), "utf8")).profiles.p1).toEqual({ api_url: tlsUrl });
    } finally {
      cfg.cleanup();
    }
  });

  it("AIRCONN_INSECURE=1 works and warns; another value is exit 2", async () => {
    const r = await cli(["get", "conn_00001"], { AIRCONN_API_URL: tlsUrl, AIRCONN_INSECURE: "1" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^airconn: warning: the certificate of 127\.0\.0\.1:\d+ is not verified \(insecure from AIRCONN_INSECURE\)/m,
    );
    const bad = await cli(["get", "conn_00001"], { AIRCONN_API_URL: tlsUrl, AIRCONN_INSECURE: "maybe" });
    expect(bad.code, bad.stderr).toBe(2);
    expect(errorLines(bad).message).toBe('AIRCONN_INSECURE takes 1 or 0, got "maybe"');
  });

  it("https:// to a port that serves plain http: says the server did not answer with TLS, not OpenSSL's text", async () => {
    const r = await cli(["--retries", "0", "get", "conn_00001"], {
      AIRCONN_API_URL: fake.server.url.replace("http:", "https:"),
    });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r)).toEqual({
      message: `TLS error talking to ${fake.server.url.replace("http:", "https:")}: the server did not answer with TLS (wrong version number)`,
      hint: "does the server speak https on this port? Use http:// in --api-url if it serves plain http",
    });
  });

  it("status names the TLS problem (problem tls) and the CA in use", async () => {
    const r = await cli(["--retries", "0", "status", "-o", "json"], { AIRCONN_API_URL: tlsUrl });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ problem: "tls", reachable: false, ca_cert: null });
    expect(errorLines(r).hint).toMatch(/--ca-cert/);
    const ok = await cli(["status", "-o", "json"], { AIRCONN_API_URL: tlsUrl, AIRCONN_CA_CERT: caFile });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      problem: null,
      auth: "ok",
      ca_cert: `${caFile} (from AIRCONN_CA_CERT)`,
    });
  });
});

describe("through an HTTP(S) proxy", () => {
  it("HTTPS_PROXY with --ca-cert: the request goes through the proxy's tunnel and the CA verifies the server", async () => {
    const { r, opened } = await throughProxy(() =>
      cli(["--ca-cert", caFile, "get", "conn_00001", "-o", "json"], { AIRCONN_API_URL: tlsUrl, HTTPS_PROXY: proxyUrl }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).connection_id).toBe("conn_00001");
    expect(opened).toEqual([new URL(tlsUrl).host]);
  });

  it("HTTPS_PROXY with --insecure, and with AIRCONN_CA_CERT", async () => {
    const a = await throughProxy(() =>
      cli(["--insecure", "get", "conn_00001"], { AIRCONN_API_URL: tlsUrl, HTTPS_PROXY: proxyUrl }),
    );
    expect(a.r.code, a.r.stderr).toBe(0);
    expect(a.opened).toHaveLength(1);
    const b = await throughProxy(() =>
      cli(["get", "conn_00001"], { AIRCONN_API_URL: tlsUrl, https_proxy: proxyUrl, AIRCONN_CA_CERT: caFile }),
    );
    expect(b.r.code, b.r.stderr).toBe(0);
    expect(b.opened).toHaveLength(1);
  });

  it("HTTP_PROXY for a plain-http Airflow; NO_PROXY bypasses the proxy", async () => {
    const a = await throughProxy(() => cli(["get", "conn_00001"], { HTTP_PROXY: proxyUrl }));
    expect(a.r.code, a.r.stderr).toBe(0);
    expect(a.opened).toEqual([new URL(fake.server.url).host]);
    const b = await throughProxy(() => cli(["get", "conn_00001"], { HTTP_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" }));
    expect(b.r.code, b.r.stderr).toBe(0);
    expect(b.opened).toEqual([]);
  });

  it("an unreachable proxy is named as the proxy, not as the Airflow URL", async () => {
    const dead = `http://127.0.0.1:${closedPort}`;
    const r = await cli(["--retries", "0", "get", "conn_00001"], {
      HTTPS_PROXY: dead,
      AIRCONN_API_URL: tlsUrl,
      AIRCONN_CA_CERT: caFile,
    });
    expect(r.code, r.stderr).toBe(1);
    const e = errorLines(r);
    expect(e.message).toBe(`cannot connect to the proxy ${dead} (from HTTPS_PROXY): connection refused`);
    expect(e.hint).toMatch(/^is the proxy running\? Check HTTPS_PROXY, or add 127\.0\.0\.1 to NO_PROXY/);
    expect(r.stderr).not.toMatch(/Airflow API server running/);
  });

  it("the proxy's credentials never appear in a message", async () => {
    const dead = `http://proxyuser:Pr0xy-S3cret-pw@127.0.0.1:${closedPort}`;
    registerSecret("Pr0xy-S3cret-pw");
    const r = await cli(["--retries", "0", "get", "conn_00001"], { HTTP_PROXY: dead });
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r).message).toBe(
      `cannot connect to the proxy http://127.0.0.1:${closedPort} (from HTTP_PROXY): connection refused`,
    );
    expect(r.stderr).not.toContain("proxyuser");
  });

  it("a proxy that refuses the tunnel (403) is named with its answer", async () => {
    const host = new URL(tlsUrl).host;
    refused.add(host);
    try {
      const r = await cli(["--retries", "0", "get", "conn_00001"], {
        HTTPS_PROXY: proxyUrl,
        AIRCONN_API_URL: tlsUrl,
        AIRCONN_CA_CERT: caFile,
      });
      expect(r.code, r.stderr).toBe(1);
      expect(errorLines(r).message).toBe(
        `the proxy ${proxyUrl} (from HTTPS_PROXY) did not open a connection to ${host}: it answered 403`,
      );
    } finally {
      refused.delete(host);
    }
  });

  it("status says the proxy is the problem and which proxy is in use", async () => {
    const dead = `http://127.0.0.1:${closedPort}`;
    const r = await cli(["--retries", "0", "status", "-o", "json"], { HTTP_PROXY: dead });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      problem: "proxy",
      reachable: false,
      proxy: `${dead} (from HTTP_PROXY)`,
    });
    expect(errorLines(r).message).toMatch(/cannot connect to the proxy/);
  });
});

describe("flags and URLs that fetch cannot use", () => {
  it("--timeout 0 says it must be more than 0 (exit 2)", async () => {
    const r = await cli(["--timeout", "0", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout must be more than 0 seconds \(at most 3600\), got "0"$/m);
    expect(r.stderr).not.toMatch(/between 0 and 3600/);
  });

  it("--api-url localhost:8080 suggests http://localhost:8080 (exit 2); a host name without a scheme suggests https", async () => {
    const r = await cli(["--api-url", "localhost:8080", "list"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual({
      message: 'invalid API URL "localhost:8080" (from --api-url): it needs http:// or https:// in front',
      hint: "did you mean http://localhost:8080?",
    });
    const h = await cli(["list"], { AIRCONN_API_URL: "airflow.example.com/airflow" });
    expect(h.code).toBe(2);
    expect(errorLines(h).hint).toBe("did you mean https://airflow.example.com/airflow?");
  });

  it("a port fetch refuses (10080): explained, with what to do instead, and not retried", async () => {
    const r = await cli(["-v", "get", "conn_00001"], { AIRCONN_API_URL: "http://127.0.0.1:10080" });
    expect(r.code).toBe(1);
    const e = errorLines(r);
    expect(e.message).toBe(
      'cannot reach http://127.0.0.1:10080: fetch refuses port 10080 ("bad port": browsers and Node block it because it belongs to another protocol)',
    );
    expect(e.hint).toMatch(/another port .*reverse proxy/);
    expect(r.stderr.match(/^\* GET /gm)).toHaveLength(1);
  });
});
