import { afterEach, describe, expect, it } from "vitest";
import { runTypes, type TypesOptions } from "../../../src/commands/types.js";
import { HOOK_META_PATH } from "../../../src/catalog/load.js";
import { closeAirflows, fakeAirflow, setup, tempFolder, type Airflow } from "../commands-support.js";

afterEach(closeAirflows);

const hookMetaRequests = (af: Airflow) => af.requests.filter((r) => r.path === HOOK_META_PATH).length;

async function types(
  af: Airflow,
  o: TypesOptions = {},
  s: { tty?: boolean; output?: "json" | "yaml" | "plain" | "table"; cache?: string; verbose?: boolean } = {},
) {
  const t = setup({
    airflow: af,
    tty: s.tty,
    env: { XDG_CACHE_HOME: s.cache ?? tempFolder() },
    globals: { output: s.output, verbose: s.verbose },
  });
  const code = await t.run((d) => runTypes(o, d));
  return { code, out: t.io.stdout(), err: t.io.stderr() };
}

describe("airconn types", () => {
  it("lists the server's types as tab-separated lines when piped, and says the source on stderr", async () => {
    const af = await fakeAirflow([], { airflowVersion: "3.2.1" });
    const r = await types(af);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines).toContain("acme_crm\tAcme CRM\t"); // the server's custom type: no provider package
    expect(lines).toContain("aws\tAmazon Web Services\tapache-airflow-providers-amazon");
    expect(lines.map((l) => l.split("\t")[0])).toEqual(
      lines.map((l) => l.split("\t")[0]).sort((a, b) => (a! < b! ? -1 : 1)),
    );
    expect(r.err).toBe(`source: the server's catalog (${af.url}, Airflow 3.2.1)\n`);
  });

  it("-o json: an array of {type, name, provider}", async () => {
    const af = await fakeAirflow();
    const r = await types(af, {}, { output: "json" });
    const doc = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(doc.find((t) => t.type === "snowflake")).toEqual({
      type: "snowflake",
      name: "Snowflake",
      provider: "apache-airflow-providers-snowflake",
    });
    expect(doc.find((t) => t.type === "acme_crm")).toEqual({ type: "acme_crm", name: "Acme CRM", provider: null });
  });

  it("types aws -o json: the form, labels, hidden fields, no extra fields", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { type: "aws" }, { output: "json" });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({
      type: "aws",
      name: "Amazon Web Services",
      provider: "apache-airflow-providers-amazon",
      hook_class: "airflow.providers.amazon.aws.hooks.base_aws.AwsGenericHook",
      extra_fields: [],
    });
    expect(doc.standard_fields.login).toEqual({
      label: "AWS Access Key ID",
      relabeled: true,
      hidden: false,
      placeholder: "YOUR_AWS_ACCESS_KEY_ID",
    });
    expect(doc.standard_fields.host).toEqual({ label: "Host", relabeled: false, hidden: true, placeholder: null });
    expect(Object.keys(doc.standard_fields)).toEqual(["host", "schema", "login", "password", "port", "description"]);
  });

  it("types TYPE -o yaml: the same document", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { type: "mongo" }, { output: "yaml" });
    expect(r.out).toMatch(/^type: mongo\n/);
    expect(r.out).toContain("label: Default DB");
  });

  it("an extra field's kind, default, choices, range, secret flag and description (the server's custom type)", async () => {
    const af = await fakeAirflow();
    const doc = JSON.parse((await types(af, { type: "acme_crm" }, { output: "json" })).out);
    const by = Object.fromEntries(doc.extra_fields.map((e: { name: string }) => [e.name, e]));
    expect(by.region).toEqual({
      name: "region",
      label: "Region",
      kind: "string",
      default: "eu",
      choices: ["eu", "us"],
      minimum: null,
      maximum: null,
      secret: false,
      description: "Data centre of the tenant.",
    });
    expect(by.page_size).toMatchObject({ kind: "integer", default: 100, minimum: 1, maximum: 1000 });
    expect(by.api_key).toMatchObject({ secret: true, default: null });
    expect(by.token_url).toMatchObject({ secret: true, default: "***" }); // a secret's default is not printed
    expect(by.verify).toMatchObject({ kind: "boolean", default: true });
  });

  it("at a terminal: the standard fields (labels, hidden, placeholders) and a table of the extra fields", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { type: "acme_crm" }, { tty: true });
    expect(r.out).toMatch(/^acme_crm: Acme CRM\n\nStandard fields\n/);
    expect(r.out).toMatch(/host +CRM endpoint +https:\/\/crm\.acme\.example/);
    expect(r.out).toMatch(/port +Port +yes/);
    expect(r.out).toMatch(
      /Extra fields \(keys of extra: --set-extra KEY=VALUE\)\n.*KEY.*LABEL.*KIND.*DEFAULT.*CHOICES/,
    );
    expect(r.out).toMatch(/page_size +Page size +integer +100 .*1 to 1000; Records per API page\./);
    expect(r.out).toMatch(/region +Region +string +"eu" +"eu", "us"/);
    expect(r.out).not.toContain("auth.acme.example"); // token_url's default: a secret field's
    const aws = await types(af, { type: "aws" }, { tty: true });
    expect(aws.out).toMatch(/login +AWS Access Key ID +YOUR_AWS_ACCESS_KEY_ID/);
    expect(aws.out).toContain("Extra fields: none defined by the provider");
  });

  it("piped: one tab-separated line per field, standard fields first", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { type: "snowflake" });
    expect(r.out.endsWith("\n")).toBe(true);
    const lines = r.out.slice(0, -1).split("\n");
    expect(lines[0]).toBe("standard\thost\tHost\thidden\t\t\t\t");
    expect(lines).toContain("standard\tlogin\tLogin\t\t\t\t\tsnowflake username");
    expect(lines).toContain("extra\twarehouse\tWarehouse\tstring\t\t\t\t");
    expect(lines).toContain("extra\tproxy_password\tProxy Password\tstring\t\t\tyes\t");
    expect(lines.length).toBe(6 + 13);
  });

  it("an unknown type: exit 3 with a suggestion", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { type: "snowflak" });
    expect(r.code).toBe(3);
    expect(r.out).toBe("");
    expect(r.err).toContain(`airconn: unknown connection type "snowflak" in the server's catalog`);
    expect(r.err).toContain("did you mean snowflake?");
    const prefix = await types(af, { type: "gcp", bundled: true });
    expect(prefix.code).toBe(3);
    expect(prefix.err).toMatch(/did you mean gcp_looker, gcpbigquery, gcpcloudsql\?/);
    const short = await types(af, { type: "awz", bundled: true });
    expect(short.err).toContain("did you mean aws?");
  });

  it("--bundled sends no request and lists the bundled catalog (no custom type)", async () => {
    const af = await fakeAirflow();
    const r = await types(af, { bundled: true });
    expect(af.requests).toEqual([]);
    expect(r.err).toBe("source: the catalog bundled with airconn (--bundled)\n");
    expect(r.out).not.toContain("acme_crm");
    expect(r.out).toContain("chime\tchime\tapache-airflow-providers-amazon\n");
    const custom = await types(af, { bundled: true, type: "acme_crm" });
    expect(custom.code).toBe(3);
  });

  it("a server without the route (404): the bundled catalog, exit 0, the reason on stderr", async () => {
    const af = await fakeAirflow([], { hookMeta: "missing" });
    const r = await types(af, { type: "aws" }, { output: "json" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).standard_fields.login.label).toBe("AWS Access Key ID");
    expect(r.err).toBe(`source: the catalog bundled with airconn (the server has no ${HOOK_META_PATH} (404))\n`);
    const custom = await types(af, { type: "acme_crm" });
    expect(custom.code).toBe(3);
    expect(custom.err).toContain("a custom provider's types are known only from the server's catalog");
  });

  it("the cache: a second run sends no hook_meta request, --refresh sends one", async () => {
    const af = await fakeAirflow();
    const cache = tempFolder();
    await types(af, {}, { cache });
    const second = await types(af, {}, { cache });
    expect(hookMetaRequests(af)).toBe(1);
    expect(second.err).toMatch(/^source: the server's catalog \(.*cached 0 min ago\)\n$/);
    const fresh = await types(af, { refresh: true }, { cache });
    expect(hookMetaRequests(af)).toBe(2);
    expect(fresh.err).not.toContain("cached");
  });
});
