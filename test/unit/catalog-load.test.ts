import { statSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CATALOG_TTL_MS, catalogCacheFile, readCatalogCache } from "../../src/catalog/cache.js";
import { cachedOrBundledCatalog, HOOK_META_PATH, loadCatalog } from "../../src/catalog/load.js";
import { describeSource, findType } from "../../src/catalog/model.js";
import { closeAirflows, fakeAirflow, setup, tempFolder, type Airflow } from "./commands-support.js";

afterEach(closeAirflows);

const hookMetaRequests = (af: Airflow) => af.requests.filter((r) => r.path === HOOK_META_PATH).length;

/** A setup with its own cache folder (shared by the runs of one test), a clock, and --verbose when asked. */
function runs(af: Airflow, o: { verbose?: boolean; env?: Record<string, string> } = {}) {
  const cache = tempFolder();
  let t = 1_700_000_000_000;
  const make = (env: Record<string, string> = {}) =>
    setup({
      airflow: af,
      env: { XDG_CACHE_HOME: cache, ...o.env, ...env },
      globals: { verbose: o.verbose },
      now: () => t,
    });
  return {
    cache,
    env: { XDG_CACHE_HOME: cache },
    later: (ms: number) => {
      t += ms;
    },
    load: async (refresh = false, env?: Record<string, string>) => {
      const s = make(env);
      const catalog = await loadCatalog(s.deps, { refresh });
      return { catalog, err: s.io.stderr(), line: verboseLines(s.io.stderr()) };
    },
  };
}
const verboseLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("* connection types"));

describe("loadCatalog", () => {
  it("reads the server's catalog, caches it (0600) and reads the cache next time without a request", async () => {
    const af = await fakeAirflow([], { airflowVersion: "3.2.1" });
    const r = runs(af);
    const first = await r.load();
    expect(first.catalog.source).toMatchObject({
      kind: "server",
      apiUrl: af.url,
      serverVersion: "3.2.1",
      cached: false,
    });
    expect(findType(first.catalog, "acme_crm")).toBeDefined(); // the local server's own custom type
    expect(hookMetaRequests(af)).toBe(1);
    const file = catalogCacheFile(r.env, af.url);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCatalogCache(r.env, af.url)).toMatchObject({ server_version: "3.2.1", api_url: af.url });

    r.later(60 * 60_000);
    const second = await r.load();
    expect(hookMetaRequests(af)).toBe(1);
    expect(second.catalog.source).toMatchObject({ kind: "server", cached: true });
    expect(describeSource(second.catalog.source, 1_700_000_000_000 + 60 * 60_000)).toBe(
      `the server's catalog (${af.url}, Airflow 3.2.1, cached 60 min ago)`,
    );
    expect(second.catalog.types).toEqual(first.catalog.types);
  });

  it("--refresh asks again and rewrites the cache; an expired cache or another server version is asked again", async () => {
    const af = await fakeAirflow();
    const r = runs(af);
    await r.load();
    await r.load(true);
    expect(hookMetaRequests(af)).toBe(2);
    r.later(CATALOG_TTL_MS - 1);
    await r.load();
    expect(hookMetaRequests(af)).toBe(2);
    r.later(2);
    await r.load();
    expect(hookMetaRequests(af)).toBe(3);

    const file = catalogCacheFile(r.env, af.url);
    const c = readCatalogCache(r.env, af.url)!;
    writeFileSync(file, JSON.stringify({ ...c, server_version: "3.0.0" }));
    expect((await r.load()).catalog.source).toMatchObject({ kind: "server", cached: false });
    expect(hookMetaRequests(af)).toBe(4);
    writeFileSync(file, "{not json");
    expect((await r.load()).catalog.source).toMatchObject({ kind: "server", cached: false });
    expect(hookMetaRequests(af)).toBe(5);
  });

  it("a 403 gives the bundled catalog with the reason and exactly one --verbose line, nothing without -v", async () => {
    const af = await fakeAirflow([], { hookMeta: "forbidden" });
    const quiet = await runs(af).load();
    expect(quiet.catalog.source).toEqual({ kind: "bundled", reason: "the server did not allow reading it (403)" });
    expect(quiet.err).toBe("");
    expect(findType(quiet.catalog, "acme_crm")).toBeUndefined();
    expect(findType(quiet.catalog, "chime")).toBeDefined();

    const loud = await runs(af, { verbose: true }).load();
    expect(loud.line).toEqual([
      "* connection types: using the catalog bundled with airconn: the server did not allow reading it (403) (403 Forbidden)",
    ]);
    // not remembered: the next run asks again (permissions change)
    expect(hookMetaRequests(af)).toBe(2);
  });

  it("a token the server refuses (403 Invalid JWT token) falls back, saying so", async () => {
    const af = await fakeAirflow();
    const r = runs(af, { verbose: true, env: { AIRCONN_TOKEN: "not-a-token" } });
    const { catalog, line } = await r.load();
    expect(catalog.source).toEqual({ kind: "bundled", reason: "the server refused the token (403)" });
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/^\* connection types: using the catalog bundled with airconn: the server refused/);
  });

  it("a 404 (no such route) falls back and is remembered for the server version; --refresh asks again", async () => {
    const af = await fakeAirflow([], { hookMeta: "missing" });
    const r = runs(af, { verbose: true });
    const first = await r.load();
    expect(first.catalog.source).toEqual({ kind: "bundled", reason: `the server has no ${HOOK_META_PATH} (404)` });
    expect(first.line).toHaveLength(1);
    const second = await r.load();
    expect(hookMetaRequests(af)).toBe(1);
    expect(second.catalog.source).toMatchObject({ kind: "bundled", reason: expect.stringMatching(/remembered/) });
    expect(second.line).toHaveLength(1);

    af.setHookMeta("ok");
    const third = await r.load(true);
    expect(hookMetaRequests(af)).toBe(2);
    expect(third.catalog.source).toMatchObject({ kind: "server", cached: false });
  });

  it("tolerates the older service's shape (core pseudo-types, value-only extras, string types)", async () => {
    const af = await fakeAirflow([], { hookMeta: "old-shape" });
    const { catalog } = await runs(af).load();
    expect(catalog.source.kind).toBe("server");
    expect(findType(catalog, "generic")).toMatchObject({ name: "Generic" });
    expect(findType(catalog, "generic")).not.toHaveProperty("provider");
    expect(findType(catalog, "snowflake")?.extras.find((e) => e.name === "proxy_port")?.kind).toBe("integer");
  });

  it("an answer of another shape falls back (and is remembered)", async () => {
    const af = await fakeAirflow([], {
      intercept: (q) => (q.path === HOOK_META_PATH ? { status: 200, json: { connection_types: [] } } : undefined),
    });
    const r = runs(af, { verbose: true });
    const { catalog, line } = await r.load();
    expect(catalog.source).toEqual({
      kind: "bundled",
      reason: "the server's answer has a shape airconn does not know",
    });
    expect(line).toEqual([
      "* connection types: using the catalog bundled with airconn: the server's answer has a shape airconn does not know (the answer is object, not a list of connection types)",
    ]);
    await r.load();
    expect(hookMetaRequests(af)).toBe(1);
  });

  it("a server without the route that answers the UI's HTML page with 200 (the UI's catch-all) falls back", async () => {
    const page = "<!doctype html><html><head><title>Airflow</title></head><body><div id=root></div></body></html>";
    const af = await fakeAirflow([], {
      intercept: (q) =>
        q.path === HOOK_META_PATH
          ? { status: 200, text: page, headers: { "content-type": "text/html; charset=utf-8" } }
          : undefined,
    });
    const r = runs(af, { verbose: true });
    const { catalog, err, line } = await r.load();
    expect(catalog.source.kind).toBe("bundled");
    expect(findType(catalog, "aws")).toBeDefined();
    expect(err).not.toContain("<!doctype");
    expect(line).toHaveLength(1);
    expect(line[0]).toContain("answered with an HTML page, not the Airflow API");
  });

  it("a server that cannot be reached falls back, and so does a run without a token", async () => {
    const af = await fakeAirflow();
    const r = runs(af);
    const gone = await r.load(false, { AIRCONN_API_URL: "http://127.0.0.1:9" });
    expect(gone.catalog.source).toEqual({ kind: "bundled", reason: "the server could not be reached" });
    const anon = await r.load(false, { AIRCONN_TOKEN: "" });
    expect(anon.catalog.source.kind).toBe("bundled");
  });

  it("a wrong API URL (no version, no route) falls back saying so, and is not remembered", async () => {
    const af = await fakeAirflow();
    const r = runs(af, { env: { AIRCONN_API_URL: `${af.url}/not-airflow` } });
    const { catalog } = await r.load();
    expect(catalog.source).toEqual({
      kind: "bundled",
      reason: "the API URL does not answer as the Airflow API (`airconn status` says more)",
    });
    await r.load();
    expect(af.requests.filter((q) => q.path === `/not-airflow${HOOK_META_PATH}`)).toHaveLength(2);
  });

  it("Ctrl-C is not a reason to fall back: it stops the load", async () => {
    const af = await fakeAirflow([], { latencyMs: 2000 });
    const ctl = new AbortController();
    const s = setup({ airflow: af, signal: ctl.signal, env: { XDG_CACHE_HOME: tempFolder() } });
    const p = loadCatalog(s.deps);
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toBeDefined();
  });
});

describe("cachedOrBundledCatalog", () => {
  it("the cached server catalog when there is one for the URL, else the bundled one; no request", async () => {
    const af = await fakeAirflow();
    const r = runs(af);
    expect(cachedOrBundledCatalog(r.env, af.url).source.kind).toBe("bundled");
    expect(cachedOrBundledCatalog(r.env).source.kind).toBe("bundled");
    await r.load();
    const before = af.requests.length;
    const c = cachedOrBundledCatalog(r.env, af.url);
    expect(c.source).toMatchObject({ kind: "server", cached: true });
    expect(findType(c, "acme_crm")).toBeDefined();
    expect(cachedOrBundledCatalog(r.env, "http://elsewhere:8080").source.kind).toBe("bundled");
    expect(af.requests.length).toBe(before);
  });
});
