// GET /ui/connections/hook_meta: the UI's connection-form catalog (../shared/airflow/hook-meta/README.md), its token
// check, the hookMeta switches (ok, forbidden, missing, old-shape) and the masking of extra-field values.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AIRFLOW_VERSIONS,
  customHookTypes,
  hookMetaEntries,
  startFakeAirflow,
  type FakeAirflow,
  type HookMetaEntry,
} from "../src/index.js";
import { client, mainRefuses, startMain, validated } from "./helpers.js";

const HM = "/ui/connections/hook_meta";
const ENTRY_KEYS = [
  "connection_type",
  "hook_class_name",
  "default_conn_name",
  "hook_name",
  "standard_fields",
  "extra_fields",
];
const STANDARD_KEYS = ["description", "url_schema", "host", "port", "login", "password"];

/** The types of the provider sample (hook-meta-sample.json), in its order. */
const SAMPLE_TYPES = [
  "aws",
  "kafka",
  "databricks",
  "google_cloud_platform",
  "http",
  "mssql",
  "mongo",
  "mysql",
  "odbc",
  "postgres",
  "redis",
  "sftp",
  "slack",
  "slackwebhook",
  "snowflake",
  "ssh",
];

const ACME_CRM = {
  connection_type: "acme_crm",
  hook_class_name: "acme_provider.hooks.crm.AcmeCrmHook",
  default_conn_name: null,
  hook_name: "Acme CRM",
  standard_fields: {
    description: null,
    url_schema: { hidden: true, title: null, placeholder: null },
    host: { hidden: false, title: "CRM endpoint", placeholder: "https://crm.acme.example" },
    port: { hidden: true, title: null, placeholder: null },
    login: null,
    password: null,
  },
  extra_fields: {
    tenant: {
      value: null,
      schema: { type: ["string", "null"], title: "Tenant" },
      description: "Your Acme tenant id, e.g. acme-eu-042. Required: the CRM API refuses calls without it.",
      source: null,
    },
    api_key: {
      value: null,
      schema: { type: ["string", "null"], format: "password", title: "API key" },
      description: "An API key from Acme's admin console (Settings > API).",
      source: null,
    },
    page_size: {
      value: 100,
      schema: { type: ["integer", "null"], default: 100, minimum: 1, maximum: 1000, title: "Page size" },
      description: "Records per API page.",
      source: null,
    },
    region: {
      value: "eu",
      schema: { type: ["string", "null"], enum: ["eu", "us"], default: "eu", title: "Region" },
      description: "Data centre of the tenant.",
      source: null,
    },
    verify: {
      value: true,
      schema: { type: ["boolean", "null"], default: true, title: "Verify TLS" },
      description: "Check the CRM endpoint's TLS certificate.",
      source: null,
    },
    // "token" is a sensitive word: the value is masked, the schema's default is not (the validator only sees `value`)
    token_url: {
      value: "***",
      schema: { type: ["string", "null"], default: "https://auth.acme.example/oauth2/token", title: "OAuth token URL" },
      description: "Where the hook exchanges the API key for an access token.",
      source: null,
    },
  },
};

let fake: FakeAirflow;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  fake = await startFakeAirflow({ airflowVersion: "3.2.1", testConnection: "Enabled" });
  call = client(fake);
});
afterAll(() => fake.close());
afterEach(() => fake.setHookMeta("ok"));

const entries = async (): Promise<HookMetaEntry[]> => {
  const r = await call("GET", HM);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("application/json");
  return r.json as HookMetaEntry[];
};
const byType = (list: HookMetaEntry[], t: string) => list.find((e) => e.connection_type === t);

describe("GET /ui/connections/hook_meta (ok)", () => {
  it("answers every type of the provider sample, then the custom acme_crm, each in serialization order", async () => {
    const list = await entries();
    expect(list.map((e) => e.connection_type)).toEqual([...SAMPLE_TYPES, "acme_crm"]);
    for (const e of list) {
      expect(Object.keys(e)).toEqual(ENTRY_KEYS);
      expect(e.default_conn_name).toBeNull();
      expect(typeof e.hook_name).toBe("string");
      if (e.standard_fields !== null) {
        expect(Object.keys(e.standard_fields)).toEqual(STANDARD_KEYS);
        for (const f of Object.values(e.standard_fields)) {
          if (f !== null) expect(Object.keys(f)).toEqual(["hidden", "title", "placeholder"]);
        }
      }
      for (const f of Object.values(e.extra_fields ?? {})) {
        expect(Object.keys(f)).toEqual(["value", "schema", "description", "source"]);
        expect(f.source).toBeNull();
        expect(Array.isArray(f.schema.type)).toBe(true);
      }
    }
  });

  it("carries the providers' form: aws hides host, port and schema and relabels login and password", async () => {
    const aws = byType(await entries(), "aws")!;
    expect(aws.hook_name).toBe("Amazon Web Services");
    expect(aws.hook_class_name).toBe("airflow.providers.amazon.aws.hooks.base_aws.AwsGenericHook");
    expect(aws.standard_fields).toEqual({
      description: null,
      url_schema: { hidden: true, title: null, placeholder: null },
      host: { hidden: true, title: null, placeholder: null },
      port: { hidden: true, title: null, placeholder: null },
      login: { hidden: false, title: "AWS Access Key ID", placeholder: "YOUR_AWS_ACCESS_KEY_ID" },
      password: { hidden: false, title: "AWS Secret Access Key", placeholder: "YOUR_AWS_SECRET_ACCESS_KEY" },
    });
    expect(aws.extra_fields).toBeNull();
    const snowflake = byType(await entries(), "snowflake")!;
    expect(Object.keys(snowflake.extra_fields!)).toContain("warehouse");
    expect(snowflake.extra_fields!.private_key_content!.schema).toEqual({
      type: ["string", "null"],
      format: "password",
      title: "Private key (Text)",
    });
  });

  it("has the made-up third-party type acme_crm that no bundled catalog knows", async () => {
    expect(customHookTypes()).toEqual(["acme_crm"]);
    expect(byType(await entries(), "acme_crm")).toEqual(ACME_CRM);
  });

  it("answers the stored catalog, masked, and nothing else", async () => {
    const masked = hookMetaEntries().map((e) =>
      e.connection_type === "acme_crm"
        ? { ...e, extra_fields: { ...e.extra_fields, token_url: ACME_CRM.extra_fields.token_url } }
        : e,
    );
    expect(await entries()).toEqual(masked);
  });

  it("is served by every version the server imitates (it exists since 3.0)", async () => {
    for (const v of AIRFLOW_VERSIONS) {
      const f = await startFakeAirflow({ airflowVersion: v });
      try {
        const r = await client(f)("GET", HM);
        expect([v, r.status]).toEqual([v, 200]);
        expect(byType(r.json, "acme_crm")).toEqual(ACME_CRM);
      } finally {
        await f.close();
      }
    }
  });

  it("only GET: another method is a 405 that allows GET", async () => {
    const r = await call("POST", HM, { body: {} });
    expect([r.status, r.json, r.headers.get("allow")]).toEqual([405, { detail: "Method Not Allowed" }, "GET"]);
  });

  it("is recorded like every request, and is not checked against the OpenAPI spec (it is not in it)", async () => {
    const from = fake.requests.length;
    const before = validated;
    await entries();
    await call("GET", HM, { token: null });
    expect(fake.requests.slice(from).map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", HM, 200],
      ["GET", HM, 401],
    ]);
    expect(validated).toBe(before);
  });

  it("its types are installed: a connection test of acme_crm or kafka does not say Unknown hook type", async () => {
    for (const conn_type of ["acme_crm", "kafka"]) {
      const r = await call("POST", "/api/v2/connections/test", { body: { connection_id: "x", conn_type } });
      expect(r.json).toEqual({ status: true, message: "Connection successfully tested" });
    }
  });
});

describe("authentication", () => {
  it("the API's token check: 401 without a token or with another scheme, 403 for garbage, 401 when expired", async () => {
    const cases: [string, { token: string | null; headers?: Record<string, string> }, number, unknown][] = [
      ["no token", { token: null }, 401, { detail: "Not authenticated" }],
      [
        "basic",
        { token: null, headers: { authorization: "Basic YWRtaW46YWRtaW4=" } },
        401,
        { detail: "Not authenticated" },
      ],
      ["garbage", { token: "nope" }, 403, { detail: "Invalid JWT token" }],
      ["expired", { token: fake.mintToken({ expiresInSeconds: -1 }) }, 401, { detail: "Token Expired" }],
    ];
    for (const [name, o, status, body] of cases) {
      const r = await call("GET", HM, o);
      expect([name, r.status, r.json]).toEqual([name, status, body]);
      if (status === 401 && name !== "expired") expect(r.headers.get("www-authenticate")).toBe("Bearer");
    }
    expect((await call("GET", HM, { token: fake.mintToken({ username: "viewer" }) })).status).toBe(200);
  });
});

describe("switches", () => {
  it("forbidden: 403 Forbidden after the token check (no connection read permission)", async () => {
    fake.setHookMeta("forbidden");
    expect(fake.hookMeta).toBe("forbidden");
    let r = await call("GET", HM);
    expect([r.status, r.json]).toEqual([403, { detail: "Forbidden" }]);
    r = await call("GET", HM, { token: null });
    expect([r.status, r.json]).toEqual([401, { detail: "Not authenticated" }]);
    // the API itself still answers
    expect((await call("GET", "/api/v2/connections")).status).toBe(200);
  });

  it("missing: no such route, a 404 Not Found with or without a token, for any method", async () => {
    fake.setHookMeta("missing");
    for (const [method, token] of [
      ["GET", undefined],
      ["GET", null],
      ["POST", undefined],
    ] as const) {
      const r = await call(method, HM, { token });
      expect([method, r.status, r.json]).toEqual([method, 404, { detail: "Not Found" }]);
    }
    // other paths are unchanged: the UI's page, the API's 404
    expect((await call("GET", "/ui/connections/other")).status).toBe(200);
    expect((await call("GET", "/api/v2/nope")).json).toEqual({ error: "API route not found" });
  });

  it("old-shape: an older service's entries, with every variant a client must tolerate", async () => {
    fake.setHookMeta("old-shape");
    const list = await entries();
    // core pseudo-types first, without a hook class
    expect(list.slice(0, 2)).toEqual([
      {
        connection_type: "generic",
        hook_class_name: null,
        default_conn_name: null,
        hook_name: "Generic",
        standard_fields: null,
        extra_fields: null,
      },
      {
        connection_type: "email",
        hook_class_name: null,
        default_conn_name: null,
        hook_name: "Email",
        standard_fields: null,
        extra_fields: null,
      },
    ]);
    expect(list.slice(2).map((e) => e.connection_type)).toEqual([...SAMPLE_TYPES, "acme_crm"]);
    for (const e of list.slice(2)) {
      expect(Object.keys(e)).toEqual(ENTRY_KEYS);
      expect(e.hook_name).toBe(e.connection_type);
      expect(e.standard_fields).toBeNull();
    }
    // defaults are bare values (masked when the name is sensitive); the rest have a plain-string type, no
    // validators' bounds, and no title when the label is the one made up from the name
    expect(byType(list, "acme_crm")!.extra_fields).toEqual({
      tenant: {
        value: null,
        schema: { type: "string" },
        description: ACME_CRM.extra_fields.tenant.description,
        source: null,
      },
      api_key: {
        value: null,
        schema: { type: "string", format: "password", title: "API key" },
        description: ACME_CRM.extra_fields.api_key.description,
        source: null,
      },
      page_size: 100,
      region: "eu",
      verify: true,
      token_url: "***",
    });
    const google = byType(list, "google_cloud_platform")!.extra_fields as Record<string, unknown>;
    expect(google.num_retries).toBe(5);
    expect(google.is_anonymous).toBe(false);
    expect(google.project).toEqual({
      value: null,
      schema: { type: "string", title: "Project Id" },
      description: null,
      source: null,
    });
    expect(byType(list, "http")!.extra_fields).toBeNull();
  });

  it("starts in the mode of the hookMeta option; setHookMeta switches from the next request on; reset() keeps it", async () => {
    const f = await startFakeAirflow({ hookMeta: "missing" });
    try {
      const get = client(f);
      expect(f.hookMeta).toBe("missing");
      expect((await get("GET", HM)).status).toBe(404);
      f.setHookMeta("ok");
      expect((await get("GET", HM)).status).toBe(200);
      f.setHookMeta("forbidden");
      f.reset();
      expect((await get("GET", HM)).status).toBe(403);
      expect(() => f.setHookMeta("nope" as never)).toThrow(
        'fake-airflow: hookMeta must be ok, forbidden, missing or old-shape, got "nope"',
      );
      expect(f.hookMeta).toBe("forbidden");
    } finally {
      await f.close();
    }
    await expect(startFakeAirflow({ hookMeta: "404" as never })).rejects.toThrow("hookMeta must be");
  });
});

describe("masking", () => {
  it("a sensitive name with a value is ***; a sensitive name without one stays null; others keep their value", async () => {
    const list = await entries();
    const acme = byType(list, "acme_crm")!.extra_fields!;
    expect(acme.token_url!.value).toBe("***");
    expect(acme.api_key!.value).toBeNull();
    expect([acme.page_size!.value, acme.region!.value, acme.verify!.value]).toEqual([100, "eu", true]);
    const snowflake = byType(list, "snowflake")!.extra_fields!;
    expect(snowflake.proxy_password!.value).toBeNull();
    expect(byType(list, "google_cloud_platform")!.extra_fields!.num_retries!.value).toBe(5);
    // no other value in the catalog is ***: the masking is the server's, not the data's
    const stars = list.flatMap((e) =>
      Object.entries(e.extra_fields ?? {})
        .filter(([, f]) => f.value === "***")
        .map(([k]) => `${e.connection_type}.${k}`),
    );
    expect(stars).toEqual(["acme_crm.token_url"]);
    expect(JSON.stringify(hookMetaEntries())).not.toContain('"***"');
  });
});

describe("latency", () => {
  it("latencyMs delays /ui answers as it delays /api/v2", async () => {
    const f = await startFakeAirflow({ latencyMs: 150 });
    try {
      const t0 = performance.now();
      expect((await client(f)("GET", HM)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      await f.close();
    }
  });
});

describe("main.ts --hook-meta", () => {
  it("serves the mode given; refuses an unknown one with exit 2", async () => {
    const { child, url, token } = await startMain(["--hook-meta", "forbidden"]);
    try {
      const r = await fetch(url + HM, { headers: { authorization: `Bearer ${token}` } });
      expect([r.status, await r.json()]).toEqual([403, { detail: "Forbidden" }]);
    } finally {
      child.kill("SIGTERM");
    }
    const bad = await mainRefuses(["--hook-meta", "404"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--hook-meta must be one of ok, forbidden, missing, old-shape, got 404");
  });
});
