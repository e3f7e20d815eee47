import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper without types
import { catalogInputs, generateCatalog, hookMetaEntry, TARGET } from "../../scripts/catalog-source.mjs";
import { parse } from "yaml";
import { bundledCatalog, bundledSources } from "../../src/catalog/bundled.js";
import { parseHookMeta } from "../../src/catalog/parse.js";
import { describeSource, findType } from "../../src/catalog/model.js";

const SAMPLE = JSON.parse(
  readFileSync(new URL("../fixtures/catalog/hook-meta-sample.json", import.meta.url), "utf8"),
) as Array<{ connection_type: string }>;

describe("the bundled catalog", () => {
  it("is what scripts/gen-catalog.mjs makes of data/ (run `npm run gen:catalog` when this fails)", () => {
    const fresh: string = generateCatalog(parseHookMeta);
    expect(readFileSync(TARGET, "utf8") === fresh, `${TARGET} is stale: run npm run gen:catalog`).toBe(true);
  });

  it("maps provider.yaml onto hook_meta as the server does: the notes' sample, entry for entry", () => {
    // The sample was derived from the same YAML by Airflow's service code; aws and google_cloud_platform come from
    // hook code (data/legacy-hooks.json) instead.
    const yamlTypes = new Set<string>();
    for (const file of [
      "snowflake",
      "mongo",
      "ssh",
      "sftp",
      "http",
      "databricks",
      "odbc",
      "postgres",
      "apache-kafka",
    ]) {
      const doc = parse(readFileSync(new URL(`../../data/providers/${file}.yaml`, import.meta.url), "utf8"));
      for (const ct of doc["connection-types"]) {
        const sample = SAMPLE.find((e) => e.connection_type === ct["connection-type"]);
        expect(sample, ct["connection-type"]).toBeDefined();
        expect(hookMetaEntry(ct)).toEqual(sample);
        yamlTypes.add(ct["connection-type"]);
      }
    }
    expect(yamlTypes.size).toBe(9);
    const { hookMeta } = catalogInputs();
    for (const t of ["aws", "google_cloud_platform"])
      expect(hookMeta.find((e: { connection_type: string }) => e.connection_type === t)).toEqual(
        SAMPLE.find((e) => e.connection_type === t),
      );
  });

  it("lists every type the provider files name, sorted, with the hook-code forms of aws and google_cloud_platform", () => {
    const c = bundledCatalog();
    const types = c.types.map((t) => t.type);
    expect(types).toEqual([...types].sort());
    for (const t of ["chime", "emr", "redshift", "athena", "gcpbigquery", "slackwebhook", "mssql", "kafka"])
      expect(types).toContain(t);
    expect(findType(c, "chime")).toMatchObject({
      name: "chime",
      provider: "apache-airflow-providers-amazon",
      extras: [],
    });
    expect(findType(c, "aws")?.fields.login.label).toBe("AWS Access Key ID");
    expect(findType(c, "aws")?.fields.host.hidden).toBe(true);
    expect(findType(c, "snowflake")?.extras.find((e) => e.name === "warehouse")).toMatchObject({ label: "Warehouse" });
    expect(findType(c, "google_cloud_platform")?.extras.length).toBeGreaterThan(10);
    expect(bundledSources().some((s) => s.includes("providers/snowflake/provider.yaml@05875c5"))).toBe(true);
    // provider.yaml files vendored beyond the notes' sample
    expect(findType(c, "jdbc")?.fields.host).toEqual({ hidden: false, label: "Connection URL" });
    expect(findType(c, "dbt_cloud")).toMatchObject({
      name: "dbt Cloud",
      provider: "apache-airflow-providers-dbt-cloud",
    });
    expect(findType(c, "trino")?.fields.login.placeholder).toBe("Effective user for connection");
    // migrated files: nullable JSON-schema types (["boolean", "null"]), `format: password` secrets, defaults
    expect(
      findType(c, "salesforce")
        ?.extras.filter((e) => e.secret)
        .map((e) => e.name),
    ).toEqual(["security_token", "consumer_secret", "private_key_file_path", "private_key"]);
    expect(findType(c, "salesforce")?.fields.login).toEqual({ hidden: false, label: "Username" });
    expect(findType(c, "hive_cli")?.extras.find((e) => e.name === "use_beeline")).toMatchObject({
      kind: "boolean",
      default: true,
    });
    expect(findType(c, "samba")).toMatchObject({ name: "Samba", provider: "apache-airflow-providers-samba" });
    expect(findType(c, "samba")?.fields.schema).toEqual({ hidden: false, label: "Share" });
    expect(findType(c, "grpc")?.fields.password.hidden).toBe(true);
    // no hook-name: the type is the name, as the server says it
    expect(findType(c, "openai")).toMatchObject({ name: "openai", fields: { password: { label: "API Key" } } });
    for (const t of ["kubernetes", "wasb", "spark", "sqlite", "ftp", "smtp", "imap", "cassandra", "teradata"])
      expect(types).toContain(t);
  });

  it("says it is the bundled one, with the reason when one is given", () => {
    expect(bundledCatalog().source).toEqual({ kind: "bundled" });
    expect(describeSource(bundledCatalog("the server answered 404").source)).toBe(
      "the catalog bundled with airconn (the server answered 404)",
    );
  });
});

/** The modules a file loads at once: its static imports (not type-only, not import()), followed through src/. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\s+from\s+["'](\.[^"']+)["']/gm)) {
      if (m[1]) continue;
      const next = resolve(dirname(file), m[2]!).replace(/\.js$/, ".ts");
      if (existsSync(next)) visit(next);
    }
  };
  visit(entry);
  return seen;
}

describe("the bundled catalog's JSON loads only when used", () => {
  const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
  it.each(["cli.ts", "completion/callback.ts"])(
    "%s reaches catalog/bundled.ts (which reads the JSON) through no static import",
    (entry) => {
      const loaded = staticClosure(resolve(SRC, entry));
      expect(loaded.size).toBeGreaterThan(entry === "cli.ts" ? 20 : 3); // the walk does follow imports
      expect([...loaded].filter((f) => /catalog\/(bundled|load|cache)\.ts$/.test(f))).toEqual([]);
    },
  );
});
