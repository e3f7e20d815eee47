// Completion of --type, `types TYPE` and --set-extra from the connection-type catalog (issue 21): the engine with the
// real command tree, and the callback's sources reading the cache (never the network) or the bundled catalog.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { bundledCatalog } from "../../src/catalog/bundled.js";
import { writeCatalogCache } from "../../src/catalog/cache.js";
import type { Catalog } from "../../src/catalog/model.js";
import { parseHookMeta } from "../../src/catalog/parse.js";
import { completionOutput } from "../../src/completion/callback.js";
import { extraKeySpecs, typeCandidates } from "../../src/completion/catalog.js";
import { complete, type Sources } from "../../src/completion/engine.js";
import { buildSpec } from "../../src/completion/tree.js";
import { testIO } from "../../src/output/io.js";
import { hookMetaEntries } from "@airconn/fake-airflow";

const tree = buildSpec(buildProgram({ io: testIO(), env: {} }));
const SERVER: Catalog = {
  source: { kind: "server", apiUrl: "http://af:8080", fetchedAt: 0, cached: true },
  types: parseHookMeta(hookMetaEntries()),
};
const asked: string[] = [];
const sources: Sources = {
  profiles: () => [],
  connectionIds: async () => [],
  connTypes: async () => typeCandidates(SERVER),
  extraKeys: async (type) => {
    asked.push(type);
    return extraKeySpecs(SERVER, type);
  },
};
const values = async (...words: string[]) => (await complete(tree, words, sources)).candidates.map((c) => c.value);

describe("the catalog's completion sources", () => {
  it("bundled: the bundled types and the common ones, sorted, named; postgres keeps its common label", () => {
    const c = typeCandidates(bundledCatalog());
    const byType = new Map(c.map((x) => [x.value, x.description]));
    expect(byType.get("chime")).toBeUndefined(); // in the bundled catalog, no name but its type
    expect(byType.has("chime")).toBe(true);
    expect(byType.get("wasb")).toBe("Azure Blob Storage"); // a common type the bundled catalog lacks
    expect(byType.get("postgres")).toBe("PostgreSQL");
    expect(byType.get("aws")).toBe("Amazon Web Services");
    expect(c.map((x) => x.value)).toEqual(c.map((x) => x.value).sort());
  });

  it("a server's catalog: its types only (the custom one included)", () => {
    const types = typeCandidates(SERVER).map((x) => x.value);
    expect(types).toContain("acme_crm");
    expect(types).not.toContain("wasb");
  });

  it("extra keys with labels, and the values a choice list or a boolean allows", () => {
    const acme = extraKeySpecs(SERVER, "acme_crm");
    expect(acme.find((k) => k.name === "region")).toEqual({ name: "region", label: "Region", values: ["eu", "us"] });
    expect(acme.find((k) => k.name === "verify")?.values).toEqual(["true", "false"]);
    expect(acme.find((k) => k.name === "tenant")).toEqual({ name: "tenant", label: "Tenant" });
    expect(extraKeySpecs(SERVER, "nope")).toEqual([]);
  });
});

describe("the engine", () => {
  it("--type and `types TYPE` complete from the catalog", async () => {
    expect(await values("create", "x", "--type", "acme")).toEqual(["acme_crm"]);
    expect(await values("patch", "x", "--type=acme")).toEqual(["--type=acme_crm"]);
    expect(await values("types", "snow")).toEqual(["snowflake"]);
  });

  it("--set-extra completes KEY= of the line's --type, then a field's choices", async () => {
    expect(await values("patch", "x", "--type", "snowflake", "--set-extra", "war")).toEqual(["warehouse="]);
    expect(await values("patch", "x", "--type=acme_crm", "--set-extra", "re")).toEqual(["region="]);
    expect(await values("patch", "x", "--type", "acme_crm", "--set-extra", "region=")).toEqual([
      "region=eu",
      "region=us",
    ]);
    expect(await values("patch", "x", "--type", "acme_crm", "--set-extra", "tenant=")).toEqual([]);
    const before = asked.length;
    expect(await values("patch", "x", "--set-extra", "war")).toEqual([]); // no --type: nothing to go on
    expect(asked.length).toBe(before);
  });

  it("without catalog sources, --type still offers the tree's common types", async () => {
    const bare: Sources = { profiles: () => [], connectionIds: async () => [] };
    const got = (await complete(tree, ["create", "x", "--type", "postg"], bare)).candidates;
    expect(got).toEqual([{ value: "postgres", description: "PostgreSQL" }]);
  });
});

describe("the callback", () => {
  const cache = mkdtempSync(join(tmpdir(), "airconn-catalog-completion-"));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const env = (apiUrl: string) => ({
    XDG_CACHE_HOME: cache,
    AIRCONN_CONFIG_DIR: join(cache, "no-config"),
    AIRCONN_API_URL: apiUrl,
    AIRCONN_TOKEN: "t",
  });

  it("with no cached catalog: the bundled one (no request: the URL is never contacted)", async () => {
    const e = env("http://127.0.0.1:9");
    expect(await completionOutput(["patch", "x", "--type", "snowflake", "--set-extra", "wareh"], e)).toBe(
      "warehouse=\tWarehouse\n",
    );
    expect(await completionOutput(["create", "x", "--type", "acme"], e)).toBe("");
    expect(await completionOutput(["create", "x", "--type", "wasb"], e)).toBe("wasb\tAzure Blob Storage\n");
  });

  it("with the server's catalog cached for the API URL in effect: its types and fields", async () => {
    const apiUrl = "http://127.0.0.1:10";
    writeCatalogCache(env(apiUrl), {
      version: 1,
      api_url: apiUrl,
      server_version: "3.2.1",
      fetched_at: Date.now(),
      types: SERVER.types,
    });
    expect(await completionOutput(["create", "x", "--type", "acme"], env(apiUrl))).toBe("acme_crm\tAcme CRM\n");
    expect(await completionOutput(["types", "acme"], env(apiUrl))).toBe("acme_crm\tAcme CRM\n");
    expect(await completionOutput(["patch", "x", "--type", "acme_crm", "--set-extra", "page"], env(apiUrl))).toBe(
      "page_size=\tPage size\n",
    );
    expect(
      await completionOutput(["--api-url", "http://127.0.0.1:9", "create", "x", "--type", "acme"], env(apiUrl)),
    ).toBe(""); // the typed --api-url is another server: no cache for it
  });
});
