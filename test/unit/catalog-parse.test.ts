import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CatalogShapeError, parseHookMeta, providerOf } from "../../src/catalog/parse.js";

const SAMPLE = JSON.parse(
  readFileSync(new URL("../fixtures/catalog/hook-meta-sample.json", import.meta.url), "utf8"),
) as unknown;

const entry = (over: Record<string, unknown>) => ({
  connection_type: "x",
  hook_class_name: "airflow.providers.x.hooks.x.XHook",
  default_conn_name: null,
  hook_name: "X",
  standard_fields: null,
  extra_fields: null,
  ...over,
});

describe("parseHookMeta", () => {
  it("reads the sample answer: sorted by type, names, providers, standard fields and extras", () => {
    const types = parseHookMeta(SAMPLE);
    expect(types.map((t) => t.type)).toEqual([...types.map((t) => t.type)].sort());
    const aws = types.find((t) => t.type === "aws")!;
    expect(aws.name).toBe("Amazon Web Services");
    expect(aws.provider).toBe("apache-airflow-providers-amazon");
    expect(aws.fields.host).toEqual({ hidden: true });
    expect(aws.fields.schema).toEqual({ hidden: true });
    expect(aws.fields.login).toEqual({
      hidden: false,
      label: "AWS Access Key ID",
      placeholder: "YOUR_AWS_ACCESS_KEY_ID",
    });
    expect(aws.fields.description).toEqual({ hidden: false });
    expect(aws.extras).toEqual([]);

    const snow = types.find((t) => t.type === "snowflake")!;
    expect(snow.extras.map((e) => e.name)).toContain("warehouse");
    expect(snow.extras.find((e) => e.name === "private_key_content")).toMatchObject({ secret: true, kind: "string" });
    expect(snow.extras.find((e) => e.name === "proxy_port")).toMatchObject({ kind: "integer", secret: false });
    expect(snow.extras.find((e) => e.name === "insecure_mode")).toMatchObject({
      kind: "boolean",
      label: "Insecure Mode",
      description: "Turns off OCSP certificate checks",
    });

    const gcp = types.find((t) => t.type === "google_cloud_platform")!;
    expect(gcp.extras.find((e) => e.name === "num_retries")).toMatchObject({ kind: "integer", default: 5 });
    expect(gcp.extras.find((e) => e.name === "keyfile_dict")?.secret).toBe(true); // format: password
    expect(gcp.extras.find((e) => e.name === "client_secret")?.secret).toBe(true); // a sensitive name
    expect(gcp.extras.find((e) => e.name === "project")?.secret).toBe(false);

    const mongo = types.find((t) => t.type === "mongo")!;
    expect(mongo.fields.schema.label).toBe("Default DB"); // url_schema is the schema column
    expect(mongo.fields.port.placeholder).toMatch(/SRV/);
    expect(types.find((t) => t.type === "kafka")?.provider).toBe("apache-airflow-providers-apache-kafka");
  });

  it("tolerates the variants: null fields, value-only extras, a string type, no title, no hook class, unknown keys", () => {
    const [t] = parseHookMeta([
      entry({
        connection_type: "generic",
        hook_class_name: null,
        hook_name: null,
        standard_fields: { host: null, url_schema: { hidden: true }, login: { title: null, placeholder: "me" } },
        extra_fields: {
          plain: "abc",
          count: 3,
          flag: { value: true, schema: { type: "boolean" } },
          level: {
            value: null,
            schema: { type: ["string", "null"], enum: ["a", "b", null], title: "Level" },
            novel: 1,
          },
          limit: { value: null, schema: { type: "integer", minimum: 1, maximum: 9, default: 4 } },
          api_key: { value: "***", schema: { type: ["string", "null"] } },
          odd: { value: null, schema: { type: ["null"] } },
          token_url: { value: "***", schema: { type: ["string", "null"], default: "https://auth.example/token" } },
        },
        future_key: { anything: true },
      }),
    ]);
    expect(t!.name).toBe("generic");
    expect(t!.provider).toBeUndefined();
    expect(t!.hookClass).toBeUndefined();
    expect(t!.fields.schema).toEqual({ hidden: true });
    expect(t!.fields.login).toEqual({ hidden: false, placeholder: "me" });
    expect(t!.fields.host).toEqual({ hidden: false });
    const by = Object.fromEntries(t!.extras.map((e) => [e.name, e]));
    expect(by.plain).toMatchObject({ kind: "string", default: "abc", label: "plain", secret: false });
    expect(by.count).toMatchObject({ kind: "integer", default: 3 });
    expect(by.flag).toMatchObject({ kind: "boolean", default: true });
    expect(by.level).toMatchObject({ kind: "string", choices: ["a", "b"], label: "Level" });
    expect(by.level).not.toHaveProperty("default");
    expect(by.limit).toMatchObject({ kind: "integer", minimum: 1, maximum: 9, default: 4 });
    expect(by.api_key).toMatchObject({ secret: true });
    expect(by.api_key).not.toHaveProperty("default"); // the server's mask is no default
    expect(by.odd!.kind).toBe("unknown");
    expect(by.token_url).toMatchObject({ secret: true, default: "https://auth.example/token" });
    expect(t!.extras.map((e) => e.name)).toEqual([
      "plain",
      "count",
      "flag",
      "level",
      "limit",
      "api_key",
      "odd",
      "token_url",
    ]);
  });

  it("an empty standard_fields object and null extra_fields: every field plain, no extras", () => {
    const [t] = parseHookMeta([entry({ standard_fields: {}, extra_fields: null })]);
    expect(Object.values(t!.fields).every((f) => !f.hidden && f.label === undefined)).toBe(true);
    expect(t!.extras).toEqual([]);
  });

  it("keeps the first of a type listed twice and skips a null connection_type", () => {
    const types = parseHookMeta([
      entry({ connection_type: "b", hook_name: "first" }),
      entry({ connection_type: null }),
      entry({ connection_type: "a" }),
      entry({ connection_type: "b", hook_name: "second" }),
    ]);
    expect(types.map((t) => [t.type, t.name])).toEqual([
      ["a", "X"],
      ["b", "first"],
    ]);
  });

  it.each([
    ["an object", { aws: {} }],
    ["null", null],
    ["a string", "hook_meta"],
    ["a list with a non-object", [entry({}), 3]],
    ["an entry without connection_type", [{ hook_name: "X" }]],
    ["a non-string connection_type", [entry({ connection_type: 5 })]],
  ])("refuses %s with a CatalogShapeError", (_what, body) => {
    expect(() => parseHookMeta(body)).toThrow(CatalogShapeError);
  });
});

describe("providerOf", () => {
  it.each([
    ["airflow.providers.snowflake.hooks.snowflake.SnowflakeHook", "apache-airflow-providers-snowflake"],
    ["airflow.providers.apache.kafka.hooks.base.KafkaBaseHook", "apache-airflow-providers-apache-kafka"],
    ["airflow.providers.microsoft.mssql.hooks.mssql.MsSqlHook", "apache-airflow-providers-microsoft-mssql"],
    ["airflow.providers.amazon.aws.hooks.base_aws.AwsGenericHook", "apache-airflow-providers-amazon"],
    ["airflow.providers.google.common.hooks.base_google.GoogleBaseHook", "apache-airflow-providers-google"],
    ["airflow.providers.cncf.kubernetes.hooks.kubernetes.KubernetesHook", "apache-airflow-providers-cncf-kubernetes"],
    ["airflow.providers.common.sql.hooks.sql.DbApiHook", "apache-airflow-providers-common-sql"],
    ["airflow.providers.dbt.cloud.hooks.dbt.DbtCloudHook", "apache-airflow-providers-dbt-cloud"],
  ])("%s -> %s", (cls, pkg) => expect(providerOf(cls)).toBe(pkg));
  it("none for core hooks and anything else", () => {
    expect(providerOf(null)).toBeUndefined();
    expect(providerOf("airflow.hooks.base.BaseHook")).toBeUndefined();
    expect(providerOf("my_company.hooks.Custom")).toBeUndefined();
  });
});
