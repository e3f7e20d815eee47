// The API client knows its server's version: read once per base URL for the clients of a run, only when a request
// depends on it, and what each version supports decides what a listing sends (--prefix on the server, "a|b" whole or
// term by term). A version that cannot be read counts as older: the command goes on.
import { afterEach, describe, expect, it } from "vitest";
import { AirflowApi, type ServerOptions } from "../../src/api/client.js";
import { capabilitiesOf, parseVersion, type ServerVersion } from "../../src/api/versions.js";
import { closeAirflows, fakeAirflow, type FakeAirflow } from "./commands-support.js";

afterEach(closeAirflows);

const CONNS = ["alpha_1", "alpha_2", "beta_1", "gamma_1"].map((connection_id) => ({
  connection_id,
  conn_type: "http",
}));

function client(af: FakeAirflow, server: ServerOptions = {}, verbose?: string[], signal?: AbortSignal): AirflowApi {
  return new AirflowApi(
    { baseUrl: af.url, token: af.adminToken, retries: 0, signal, verbose: verbose && ((l) => verbose.push(l)) },
    server,
  );
}
const versionAsks = (af: FakeAirflow) => af.requests.filter((q) => q.path === "/api/v2/version").length;
const listings = (af: FakeAirflow) => af.requests.filter((q) => q.path === "/api/v2/connections" && q.method === "GET");
const ids = (rows: Array<{ connection_id: string }>) => rows.map((c) => c.connection_id);

describe("AirflowApi.serverVersion", () => {
  it("is read once per base URL by the clients that share a memo; a client of its own asks again", async () => {
    const af = await fakeAirflow([], { airflowVersion: "3.3.2" });
    const versions = new Map<string, Promise<ServerVersion | undefined>>();
    const [a, b] = [client(af, { versions }), client(af, { versions })];
    expect((await a.serverVersion())?.version).toBe("3.3.2");
    expect((await b.serverVersion())?.version).toBe("3.3.2");
    expect((await a.capabilities()).workerTests).toBe(true);
    expect(versionAsks(af)).toBe(1);
    await client(af).serverVersion();
    expect(versionAsks(af)).toBe(2);
  });

  it("that cannot be read is undefined, said in a verbose line, and counts as older; it is not asked again in the run", async () => {
    const af = await fakeAirflow([], {
      airflowVersion: "3.3.2",
      faults: { status: 500, pathPattern: "^/api/v2/version$" },
    });
    const lines: string[] = [];
    const api = client(af, {}, lines);
    expect(await api.serverVersion()).toBeUndefined();
    expect(lines.some((l) => l.startsWith("could not read the server version: "))).toBe(true);
    expect(await api.capabilities()).toEqual({
      version: undefined,
      orPatterns: false,
      prefixOnServer: false,
      workerTests: false,
    });
    expect(versionAsks(af)).toBe(1);
  });

  it("after Ctrl-C rejects instead of going on without a version", async () => {
    const af = await fakeAirflow([], { airflowVersion: "3.3.2" });
    const ctl = new AbortController();
    ctl.abort(new Error("interrupted"));
    await expect(client(af, {}, undefined, ctl.signal).serverVersion()).rejects.toBeDefined();
  });

  it("checkServerVersion (status) asks the server even when the version is known, throws when it cannot tell, and updates the memo", async () => {
    const af = await fakeAirflow([], { airflowVersion: "3.2.1" });
    const api = client(af);
    await api.serverVersion();
    expect((await api.checkServerVersion()).version).toBe("3.2.1");
    expect(versionAsks(af)).toBe(2);
    await api.serverVersion();
    expect(versionAsks(af)).toBe(2);
    af.setFaults({ status: 500, pathPattern: "^/api/v2/version$" });
    await expect(api.checkServerVersion()).rejects.toBeDefined();
  });
});

describe("AirflowApi.list decides what to send by the server's version", () => {
  it("asks for the version only for --prefix or an 'a|b' pattern", async () => {
    const af = await fakeAirflow(CONNS, { airflowVersion: "3.3.2" });
    const api = client(af);
    expect(ids(await api.list())).toHaveLength(4);
    expect(ids(await api.list({ pattern: "alpha" }))).toEqual(["alpha_1", "alpha_2"]);
    expect(await api.get("beta_1")).toMatchObject({ connection_id: "beta_1" });
    expect(versionAsks(af)).toBe(0);
    expect(ids(await api.list({ pattern: "alpha|gamma" }))).toEqual(["alpha_1", "alpha_2", "gamma_1"]);
    expect(ids(await api.list({ prefix: "beta" }))).toEqual(["beta_1"]);
    expect(versionAsks(af)).toBe(1);
  });

  for (const [version, prefixSent] of [
    ["3.3.2", "alpha"],
    ["3.2.1", null],
  ] as const) {
    it(`${version}: --prefix is ${prefixSent ? "sent" : "not sent (the server ignores it)"}, and the answer is exactly the matching ids`, async () => {
      const af = await fakeAirflow(CONNS, { airflowVersion: version });
      expect(ids(await client(af).list({ prefix: "alpha", limit: 1, offset: 1 }))).toEqual(["alpha_2"]);
      expect(listings(af).map((q) => q.query.get("connection_id_prefix_pattern"))).toEqual(
        listings(af).map(() => prefixSent),
      );
    });
  }

  for (const [version, sent] of [
    ["3.2.1", [["alpha|gamma"]]],
    ["3.1.8", [["alpha"], ["gamma"]]],
  ] as const) {
    it(`${version}: 'alpha|gamma' is sent ${sent.length === 1 ? "whole" : "term by term"}`, async () => {
      const af = await fakeAirflow(CONNS, { airflowVersion: version });
      expect(ids(await client(af).list({ pattern: "alpha|gamma" }))).toEqual(["alpha_1", "alpha_2", "gamma_1"]);
      expect(listings(af).map((q) => q.query.getAll("connection_id_pattern"))).toEqual(sent);
    });
  }

  it("a server whose version cannot be read: the prefix is applied here and the terms are listed one by one", async () => {
    const af = await fakeAirflow(CONNS, {
      airflowVersion: "3.3.2",
      faults: { status: 500, pathPattern: "^/api/v2/version$" },
    });
    const api = client(af);
    expect(ids(await api.list({ prefix: "alpha|beta", pattern: "_1|_2" }))).toEqual(["alpha_1", "beta_1", "alpha_2"]);
    expect(listings(af).every((q) => q.query.get("connection_id_prefix_pattern") === null)).toBe(true);
    expect(listings(af).map((q) => q.query.get("connection_id_pattern"))).toEqual(["_1", "_2"]);
  });
});

describe("what a version supports", () => {
  it("3.0/3.1: neither; 3.2: '|' patterns; 3.3 and 3.4: all three; unknown: none", () => {
    const can = (v: string | undefined) => {
      const c = capabilitiesOf(v === undefined ? undefined : parseVersion(v));
      return [c.orPatterns, c.prefixOnServer, c.workerTests];
    };
    expect(can("3.1.8")).toEqual([false, false, false]);
    expect(can("3.2.1")).toEqual([true, false, false]);
    expect(can("3.3.0rc1")).toEqual([true, true, true]);
    expect(can("3.4.0")).toEqual([true, true, true]);
    expect(can("4.0.0")).toEqual([true, true, true]);
    expect(can(undefined)).toEqual([false, false, false]);
  });
});
