// The extras check (issue 21): near misses of a provider's extra fields, values of the wrong kind, legacy
// extra__TYPE__name keys, "***", unknown keys and unknown types; the provider's secret fields by type.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkExtras, editDistance, nearMiss, providerSecrets } from "../../src/catalog/check.js";
import type { Catalog, ConnectionTypeInfo, ExtraField } from "../../src/catalog/model.js";
import { parseHookMeta, plainFields } from "../../src/catalog/parse.js";
import { pyLoads } from "../../src/util/pyjson.js";
import { hideProviderSecrets, plan, type Desired } from "../../src/apply/plan.js";
import { redactProviderSecrets, SENSITIVE_WORDS } from "../../src/connection/secrets.js";
import { mergeExtra } from "../../src/commands/patch.js";
import { connection } from "../support/connection.js";

const SAMPLE = parseHookMeta(
  JSON.parse(readFileSync(new URL("../fixtures/catalog/hook-meta-sample.json", import.meta.url), "utf8")),
);
const type = (t: string): ConnectionTypeInfo => {
  const info = SAMPLE.find((x) => x.type === t);
  if (!info) throw new Error(`no ${t} in the sample`);
  return info;
};
const field = (f: Partial<ExtraField> & { name: string }): ExtraField => ({
  label: f.name,
  kind: "string",
  secret: false,
  ...f,
});
/** A made-up provider: a range, choices, a number, a secret the server's words do not cover. */
const ACME: ConnectionTypeInfo = {
  type: "acme",
  name: "Acme",
  fields: plainFields(),
  extras: [
    field({ name: "page_size", label: "Page size", kind: "integer", minimum: 1, maximum: 1000 }),
    field({ name: "region", choices: ["eu", "us"] }),
    field({ name: "ratio", kind: "number", minimum: 0 }),
    field({ name: "signing_blob", secret: true }),
    field({ name: "tags", kind: "array" }),
    field({ name: "db" }),
  ],
};
const sf = type("snowflake");
const lines = (info: ConnectionTypeInfo | undefined, t: string, extra: unknown) =>
  checkExtras(info, t, extra).map((f) => `${f.path}: ${f.message}`);

describe("checkExtras: near misses", () => {
  it("a typo of a defined field is flagged with the field meant", () => {
    expect(lines(sf, "snowflake", { warehose: "wh", account: "a1" })).toEqual([
      'extra.warehose: unknown key for snowflake; did you mean "warehouse"?',
    ]);
    const [f] = checkExtras(sf, "snowflake", '{"warehose": "wh"}');
    expect(f).toMatchObject({ kind: "near-miss", suggestion: "warehouse" });
  });

  it("case and -/_ variants, swaps, and two edits in a long name", () => {
    const meant = (k: string) => checkExtras(sf, "snowflake", { [k]: "x" })[0]?.suggestion;
    expect(meant("Warehouse")).toBe("warehouse");
    expect(meant("proxy-port")).toBe("proxy_port");
    expect(meant("proxyPort")).toBe("proxy_port");
    expect(meant("PROXY_HOST")).toBe("proxy_host");
    expect(meant("wraehouse")).toBe("warehouse"); // an adjacent swap is one edit
    expect(meant("insecure_mod")).toBe("insecure_mode");
    expect(meant("proxy_pasword")).toBe("proxy_password");
    expect(meant("databse")).toBe("database");
    expect(meant("rol")).toBe("role"); // a 4-letter name: one edit
  });

  it("an unknown key alone is fine: keys the hook reads that the form does not show, or far from every field", () => {
    expect(lines(type("aws"), "aws", { region_name: "eu-west-1", role_arn: "arn:aws:iam::1:role/x" })).toEqual([]);
    expect(lines(sf, "snowflake", { authenticator: "oauth", session_parameters: { QUERY_TAG: "x" } })).toEqual([]);
    expect(lines(sf, "snowflake", { warehouses_list: "x", ware: "y" })).toEqual([]); // 3+ edits away
    // short names take no edits, only case/separator variants
    expect(lines(ACME, "acme", { dc: "x", DB: "y" })).toEqual(['extra.DB: unknown key for acme; did you mean "db"?']);
  });

  it("a key next to the field it resembles says so", () => {
    expect(lines(sf, "snowflake", { warehouse: "a", Warehouse: "b" })).toEqual([
      'extra.Warehouse: unknown key for snowflake; did you mean "warehouse"? (warehouse is given too)',
    ]);
  });

  it("the distances: optimal string alignment, capped", () => {
    expect(editDistance("warehose", "warehouse")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("a".repeat(30), "b".repeat(30), 2)).toBe(3);
    expect(nearMiss("warehouse", ["warehouse"])).toBeUndefined();
    expect(nearMiss("rgion", ["region", "role"])).toBe("region");
  });
});

describe("checkExtras: values of the wrong kind", () => {
  it("a string for a boolean or an integer, a word that is no number: each named with what is expected", () => {
    expect(lines(sf, "snowflake", { insecure_mode: "yes", proxy_port: "abc" })).toEqual([
      'extra.insecure_mode: expected true or false for snowflake\'s "Insecure Mode", got the string "yes"; write true or false without quotes',
      // "proxy" is one of Airflow 3.2's sensitive words: the value is not shown
      'extra.proxy_port: expected an integer for snowflake\'s "Proxy Port", got a string',
    ]);
    expect(lines(ACME, "acme", { page_size: "abc" })).toEqual([
      'extra.page_size: expected an integer between 1 and 1000 for acme\'s "Page size", got the string "abc"',
    ]);
  });

  it('"8080" for an integer is flagged with the fix (Airflow\'s form stores a number)', () => {
    expect(lines(ACME, "acme", { page_size: "50" })).toEqual([
      'extra.page_size: expected an integer between 1 and 1000 for acme\'s "Page size", got the string "50"; write 50 without quotes',
    ]);
    expect(lines(sf, "snowflake", { proxy_port: "8080" })).toEqual([
      'extra.proxy_port: expected an integer for snowflake\'s "Proxy Port", got a string; write it without quotes',
    ]);
    expect(lines(ACME, "acme", { ratio: "0.5" })).toEqual([
      'extra.ratio: expected a number of at least 0 for acme\'s ratio, got the string "0.5"; write 0.5 without quotes',
    ]);
  });

  it("values that fit pass: numbers as Python JSON or JS, booleans, null, *** (kept secret)", () => {
    expect(lines(sf, "snowflake", '{"proxy_port": 8080, "insecure_mode": false, "warehouse": null}')).toEqual([]);
    expect(lines(sf, "snowflake", pyLoads('{"proxy_port": 8080.0}'))).toEqual([]);
    expect(lines(sf, "snowflake", { proxy_port: "***", insecure_mode: "***", proxy_password: "***" })).toEqual([]);
    expect(lines(ACME, "acme", { page_size: 10, ratio: 0.5, region: "us", tags: ["a"] })).toEqual([]);
    expect(lines(ACME, "acme", { ratio: 2 })).toEqual([]); // an integer is a number
  });

  it("range, choices, a non-integer number, a list or an object where a string goes", () => {
    expect(lines(ACME, "acme", { page_size: 0, region: "asia", ratio: -1 })).toEqual([
      'extra.page_size: expected an integer between 1 and 1000 for acme\'s "Page size", got 0',
      'extra.region: expected one of "eu", "us" for acme\'s region, got the string "asia"',
      "extra.ratio: expected a number of at least 0 for acme's ratio, got -1",
    ]);
    expect(lines(ACME, "acme", pyLoads('{"page_size": 2.5, "db": ["x"], "tags": "a,b"}'))).toEqual([
      'extra.page_size: expected an integer between 1 and 1000 for acme\'s "Page size", got 2.5',
      "extra.db: expected a string for acme's db, got a list",
      'extra.tags: expected a list for acme\'s tags, got the string "a,b"',
    ]);
    expect(lines(ACME, "acme", pyLoads('{"page_size": 100000000000000000000000}'))).toHaveLength(1);
  });

  it("a secret field's value is never shown", () => {
    const out = lines(ACME, "acme", { signing_blob: 123456789 });
    expect(out).toEqual(["extra.signing_blob: expected a string for acme's signing_blob, got an integer"]);
    expect(out.join("")).not.toContain("123456789");
    expect(lines(sf, "snowflake", { proxy_password: false }).join("")).toBe(
      'extra.proxy_password: expected a string for snowflake\'s "Proxy Password", got a boolean',
    );
  });

  it("long strings are cut", () => {
    const [l] = lines(ACME, "acme", { page_size: "x".repeat(200) });
    expect(l!.length).toBeLessThan(140);
    expect(l).toContain('…"');
  });
});

describe("checkExtras: legacy extra__TYPE__name keys", () => {
  it("are checked as the bare field, and a typo inside the prefix is a near miss in the same form", () => {
    expect(lines(sf, "snowflake", { extra__snowflake__warehouse: "wh", extra__snowflake__proxy_port: "x" })).toEqual([
      'extra.extra__snowflake__proxy_port: expected an integer for snowflake\'s "Proxy Port", got a string',
    ]);
    expect(lines(sf, "snowflake", { extra__snowflake__warehose: "wh" })).toEqual([
      'extra.extra__snowflake__warehose: unknown key for snowflake; did you mean "extra__snowflake__warehouse"?',
    ]);
    expect(lines(sf, "snowflake", { extra__snowflak__warehouse: "wh" })).toEqual([
      'extra.extra__snowflak__warehouse: unknown key for snowflake; did you mean "extra__snowflake__warehouse"?',
    ]);
    // another type's legacy key is that hook's business
    expect(lines(sf, "snowflake", { extra__google_cloud_platform__project: "p" })).toEqual([]);
  });
});

describe("checkExtras: what is not checked", () => {
  it("an unknown type, a type without extra fields, no extra, extra that is not a JSON object", () => {
    expect(checkExtras(undefined, "my_custom", { warehose: 1 })).toEqual([]);
    expect(lines(type("postgres"), "postgres", { sslmod: "x" })).toEqual([]);
    for (const e of [undefined, null, "", "  ", "not json", "[1, 2]", "42", '"text"'])
      expect(checkExtras(sf, "snowflake", e)).toEqual([]);
  });
});

describe("providerSecrets", () => {
  const catalog: Catalog = { source: { kind: "bundled" }, types: [sf, ACME] };
  const secret = providerSecrets(catalog);
  it("the fields a provider's form marks secret, for that type, legacy keys included", () => {
    expect(secret("acme", "signing_blob")).toBe(true);
    expect(secret("acme", "extra__acme__signing_blob")).toBe(true);
    expect(secret("snowflake", "private_key_content")).toBe(true);
    expect(secret("acme", "page_size")).toBe(false);
    expect(secret("snowflake", "signing_blob")).toBe(false); // another type's secret
    expect(secret("http", "signing_blob")).toBe(false);
    expect(secret("acme", "extra__other__signing_blob")).toBe(false);
  });
});

describe("the provider's secret fields in output and diffs", () => {
  const secret = providerSecrets({ source: { kind: "bundled" }, types: [ACME] });

  it("redactProviderSecrets: their values as ***, the text unchanged when there is nothing to hide", () => {
    expect(redactProviderSecrets('{"signing_blob": "s3cr3t-blob", "page_size": 5}', "acme", secret)).toBe(
      '{"signing_blob": "***", "page_size": 5}',
    );
    const text = '{"page_size":5, "signing_blob": null}';
    expect(redactProviderSecrets(text, "acme", secret)).toBe(text); // null is no secret; the server's text kept
    expect(redactProviderSecrets('{"signing_blob": "x"}', "http", secret)).toBe('{"signing_blob": "x"}');
    expect(redactProviderSecrets("not json", "acme", secret)).toBe("not json");
    expect(redactProviderSecrets('{"signing_blob": "x"}', "acme", undefined)).toBe('{"signing_blob": "x"}');
    expect(redactProviderSecrets(null, "acme", secret)).toBeNull();
  });

  it("hideProviderSecrets: a changed value is 'will be set', a removed one was ***, a whole extra masked; bodies sent as they are", () => {
    const have = (extra: string) => connection({ conn_type: "acme", extra });
    const want = (extra: string): Desired => ({
      body: { connection_id: "c", conn_type: "acme", extra },
      present: new Set(["connection_id", "conn_type", "extra"]),
    });
    const p = plan(
      [want('{"signing_blob": "new-blob-1", "page_size": 6}')],
      [have('{"signing_blob": "old-blob-1", "page_size": 5}')],
    );
    const shown = hideProviderSecrets(p, secret);
    expect(shown.update[0]!.changes).toEqual([
      { field: "extra.signing_blob", kind: "secret", note: "will be set" },
      { field: "extra.page_size", kind: "value", from: 5, to: 6 },
    ]);
    expect(shown.update[0]!.body.extra).toBe('{"signing_blob": "new-blob-1", "page_size": 6}'); // what is sent
    expect(JSON.stringify(shown)).toContain("new-blob-1"); // only in the body
    expect(JSON.stringify(shown.update[0]!.changes)).not.toMatch(/blob-1/);

    const removed = hideProviderSecrets(plan([want("{}")], [have('{"signing_blob": "old-blob-1"}')]), secret);
    expect(removed.update[0]!.changes).toEqual([
      { field: "extra.signing_blob", kind: "value", from: "***", to: undefined },
    ]);
    // extra that is not a JSON object on one side: compared as text, shown masked
    const text = hideProviderSecrets(plan([want('{"signing_blob": "new-blob-1"}')], [have("[1]")]), secret);
    expect(text.update[0]!.changes).toEqual([
      { field: "extra", kind: "value", from: "[1]", to: '{"signing_blob": "***"}' },
    ]);
    expect(hideProviderSecrets(p, undefined)).toBe(p);
  });
});

describe("the keep rule for a provider's secret field the server shows as ***", () => {
  it("patch --set-extra sends the stored *** back under it (the server hides it, so it restores it)", () => {
    const stored = '{"unseal_blob": "***", "mount": "kv"}';
    expect(() => mergeExtra(stored, [["mount", "kv2"]], [], () => {})).toThrow(/extra\.unseal_blob .*literally/);
    expect(
      mergeExtra(
        stored,
        [["mount", "kv2"]],
        [],
        () => {},
        SENSITIVE_WORDS,
        (k) => k === "unseal_blob",
      ),
    ).toBe('{"unseal_blob": "***", "mount": "kv2"}');
    // any other key with *** is still refused
    expect(() =>
      mergeExtra(
        '{"note": "***"}',
        [["a", "b"]],
        [],
        () => {},
        SENSITIVE_WORDS,
        (k) => k === "unseal_blob",
      ),
    ).toThrow(/extra\.note/);
  });
});
