// connection_id_prefix_pattern evaluated by airconn (rule by rule), the server-version cache, and the sensitive
// words by version (3.3 added five).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prefixMatcher, prefixTerms } from "../../src/util/pattern.js";
import { readServerVersion, versionCacheFile, VERSION_TTL_MS } from "../../src/api/server.js";
import { parseVersion } from "../../src/api/versions.js";
import {
  isSensitiveKey,
  sensitiveWordsFor,
  unsafeRedacted,
  versionDependentKey,
} from "../../src/connection/secrets.js";
import { plan } from "../../src/apply/plan.js";
import { pyLoads } from "../../src/util/pyjson.js";
import { runPatch } from "../../src/commands/patch.js";
import { runCreate } from "../../src/commands/create.js";
import { closeAirflows, fakeAirflow, setup } from "./commands-support.js";

/** A temporary folder, removed after the test. */
const made: string[] = [];
const tempFolder = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

afterEach(closeAirflows);

const keep = (p: string, ids: string[]) => ids.filter(prefixMatcher(p));
const IDS = [
  "test_a",
  "testB",
  "Test_c",
  "tes",
  "t%x",
  "t_y",
  "tzy",
  "prod.db",
  "prod-x",
  "s3_raw",
  "s3",
  "a|b",
  "zeta",
  "café_1",
];

describe("--prefix: Airflow 3.3's connection_id_prefix_pattern", () => {
  it("is a case-sensitive 'starts with'", () => {
    expect(keep("test", IDS)).toEqual(["test_a", "testB"]);
    expect(keep("Test", IDS)).toEqual(["Test_c"]);
    expect(keep("TEST", IDS)).toEqual([]);
  });
  it("'|' ORs terms, each trimmed; empty terms are dropped", () => {
    expect(keep("zeta|Test", IDS)).toEqual(["Test_c", "zeta"]);
    expect(keep(" zeta | s3 ", IDS)).toEqual(["s3_raw", "s3", "zeta"]);
    expect(keep("zeta||", IDS)).toEqual(["zeta"]);
    expect(prefixTerms("a|b")).toEqual(["a", "b"]);
  });
  it("'~' alone (or nothing left) matches everything", () => {
    expect(keep("~", IDS)).toEqual(IDS);
    expect(keep(" ~ ", IDS)).toEqual(IDS);
    expect(keep("", IDS)).toEqual(IDS);
    expect(keep("__|..", IDS)).toEqual(IDS);
    expect(prefixTerms(undefined)).toBeUndefined();
  });
  it("'%' and '_' are literal characters, not wildcards", () => {
    expect(keep("t_y", IDS)).toEqual(["t_y"]);
    expect(keep("t%x", IDS)).toEqual(["t%x"]);
    expect(keep("t_", IDS)).toEqual(["test_a", "testB", "tes", "t%x", "t_y", "tzy"]); // "t_" is stripped to "t"
  });
  it("trailing non-alphanumeric characters of each term are stripped (Unicode-aware)", () => {
    expect(prefixTerms("test_")).toEqual(["test"]);
    expect(prefixTerms("s3://")).toEqual(["s3"]);
    expect(prefixTerms("prod.|zeta-")).toEqual(["prod", "zeta"]);
    expect(prefixTerms("t%")).toEqual(["t"]);
    expect(prefixTerms("t_y_")).toEqual(["t_y"]);
    expect(prefixTerms("café_")).toEqual(["café"]);
    expect(keep("s3://", IDS)).toEqual(["s3_raw", "s3"]);
    expect(keep("café_", IDS)).toEqual(["café_1"]);
  });
});

describe("server version", () => {
  it("parses release, rc, dev and local versions", () => {
    expect(parseVersion("3.3.2")).toMatchObject({ major: 3, minor: 3, patch: 2 });
    expect(parseVersion("3.3.0rc1")).toMatchObject({ major: 3, minor: 3, patch: 0 });
    expect(parseVersion("3.4.0.dev0")).toMatchObject({ major: 3, minor: 4 });
    expect(parseVersion("3.2.1+astro.2")).toMatchObject({ major: 3, minor: 2, patch: 1, version: "3.2.1+astro.2" });
    expect(parseVersion("unknown")).toBeUndefined();
  });

  it("is cached per API URL (0600) for a few minutes: no request in the common case; fresh asks again", async () => {
    const env = { XDG_CACHE_HOME: tempFolder("airconn-cache-") };
    let asked = 0;
    const fetch = async () => {
      asked++;
      return { version: "3.3.2", git_version: null };
    };
    const at = (now: number, o: { apiUrl?: string; fresh?: boolean } = {}) =>
      readServerVersion({ env, apiUrl: o.apiUrl ?? "http://a:8080", fetch, now, fresh: o.fresh });
    expect((await at(1000)).version).toBe("3.3.2");
    expect((await at(2000)).version).toBe("3.3.2");
    expect(asked).toBe(1);
    const file = versionCacheFile(env, "http://a:8080");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CACHE_HOME, "airconn")).mode & 0o777).toBe(0o700);
    await at(2000, { apiUrl: "http://b:8080" });
    expect(asked).toBe(2);
    await at(1000 + VERSION_TTL_MS);
    expect(asked).toBe(3);
    await at(1000 + VERSION_TTL_MS + 1, { fresh: true });
    expect(asked).toBe(4);
    // another URL's entry in the file is not trusted
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), api_url: "http://other" }));
    await at(1000 + VERSION_TTL_MS + 2);
    expect(asked).toBe(5);
  });

  it("a failure is not cached, and a command that only adapts to the version goes on without it", async () => {
    const env = { XDG_CACHE_HOME: tempFolder("airconn-cache-") };
    await expect(
      readServerVersion({
        env,
        apiUrl: "http://a",
        fetch: async () => {
          throw new Error("down");
        },
      }),
    ).rejects.toThrow("down");
    await expect(
      readServerVersion({ env, apiUrl: "http://a", fetch: async () => ({ version: "nonsense" }) }),
    ).rejects.toThrow(/not a version/);
    const af = await fakeAirflow([{ connection_id: "a", conn_type: "http" }], {
      faults: { status: 500, pathPattern: "^/api/v2/version$" },
    });
    const s = setup({ airflow: af, globals: { output: "plain", verbose: true } });
    const { runList } = await import("../../src/commands/list.js");
    expect(await s.run((d) => runList({ prefix: "a" }, d))).toBe(0);
    expect(s.io.stdout()).toMatch(/^a\thttp/);
    expect(s.io.stderr()).toMatch(/could not read the server version/);
  });
});

describe("sensitive words by server version", () => {
  it("3.3 adds auth_header, bearer, dsn, service_key, webhook_url; 3.2 and unknown do not", () => {
    const w33 = sensitiveWordsFor({ major: 3, minor: 3 }),
      w32 = sensitiveWordsFor({ major: 3, minor: 2 });
    for (const k of ["auth_header", "Bearer_x", "sentry_dsn", "service_key", "slack_webhook_url"]) {
      expect([k, isSensitiveKey(k, w33), isSensitiveKey(k, w32)]).toEqual([k, true, false]);
    }
    expect(sensitiveWordsFor(undefined)).toEqual(w32);
    expect(versionDependentKey("dsn")).toBe(true);
    expect(versionDependentKey("api_token")).toBe(false); // secret on both
    expect(versionDependentKey("host")).toBe(false);
  });

  it("diff/apply plan: a dsn shown as *** on 3.3 is kept; on 3.2 its value is compared and sent in clear", () => {
    const want = {
      body: { connection_id: "s", conn_type: "http", extra: '{"dsn": "https://k@sentry/1"}' },
      present: new Set(["connection_id", "conn_type", "extra"]),
    };
    const on33 = plan([want], [{ connection_id: "s", conn_type: "http", extra: '{"dsn": "***"}' } as never], {
      words: sensitiveWordsFor({ major: 3, minor: 3 }),
    });
    expect(on33.unchanged).toEqual(["s"]);
    expect(on33.notCompared).toEqual([{ id: "s", field: "extra.dsn" }]);
    const on32 = plan(
      [want],
      [{ connection_id: "s", conn_type: "http", extra: '{"dsn": "https://old@sentry/1"}' } as never],
      { words: sensitiveWordsFor({ major: 3, minor: 2 }) },
    );
    expect(on32.update[0]!.changes).toEqual([
      { field: "extra.dsn", kind: "value", from: "https://old@sentry/1", to: "https://k@sentry/1" },
    ]);
  });

  it("patch: *** under webhook_url is safe to send back on 3.3 (the server keeps it), refused on 3.2", async () => {
    expect(
      unsafeRedacted(pyLoads('{"webhook_url": "***"}'), undefined, "extra", sensitiveWordsFor({ major: 3, minor: 3 })),
    ).toEqual([]);
    expect(unsafeRedacted(pyLoads('{"webhook_url": "***"}'))).toEqual(["extra.webhook_url"]);
    // Both servers show extra.webhook_url as "***": 3.3 masks the stored URL; on 3.2 (no such word) it is literally "***"
    for (const [version, stored, code] of [
      ["3.3.2", "https://hooks.example.com/real", 0],
      ["3.2.1", "***", 2],
    ] as const) {
      const af = await fakeAirflow(
        [{ connection_id: "hook", conn_type: "http", extra: `{"webhook_url": "${stored}", "a": 1}` }],
        { airflowVersion: version },
      );
      const s = setup({ airflow: af });
      expect(await s.run((d) => runPatch({ id: "hook", setExtra: ["a=2"] }, d)), version).toBe(code);
      const sent = af.requests.filter((q) => q.method === "PATCH");
      expect(sent.length, version).toBe(code === 0 ? 1 : 0);
      if (code === 0) {
        expect(sent[0]!.json).toMatchObject({ extra: '{"webhook_url": "***", "a": 2}' });
        expect(af.stored("hook")!.extra, version).toBe('{"webhook_url": "https://hooks.example.com/real", "a": 2}');
      } else expect(af.stored("hook")!.extra, version).toBe('{"webhook_url": "***", "a": 1}');
    }
  });

  it("no version request when no key depends on it", async () => {
    const af = await fakeAirflow([{ connection_id: "h", conn_type: "http", extra: '{"api_key": "k-1", "a": 1}' }]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runPatch({ id: "h", setExtra: ["a=2"] }, d))).toBe(0);
    // only the extras check's catalog reads it (its cache key), right before hook_meta: the word list adds none
    const paths = af.requests.map((q) => q.path);
    expect(paths.filter((p) => p === "/api/v2/version")).toHaveLength(1);
    expect(paths[paths.indexOf("/api/v2/version") + 1]).toBe("/ui/connections/hook_meta");
  });
});

describe("team_name only when given", () => {
  it("create sends no team_name unless --team is given", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runCreate({ id: "a", type: "http", host: "h" }, d))).toBe(0);
    expect(af.writes()[0]!.json).not.toHaveProperty("team_name");
    expect(await s.run((d) => runCreate({ id: "b", json: '{"conn_type": "http", "team_name": null}' }, d))).toBe(0);
    expect(af.writes()[1]!.json).not.toHaveProperty("team_name");
    expect(await s.run((d) => runCreate({ id: "c", type: "http", team: "blue" }, d))).toBe(0);
    expect(af.writes()[2]!.json).toMatchObject({ team_name: "blue" });
  });
});

describe("import --on-existence overwrite: *** only where this server restores it", () => {
  for (const [version, expected] of [
    ["3.2.1", "https://hooks.example.com/real"],
    ["3.3.2", "***"],
  ] as const) {
    it(`${version}: webhook_url "***" in the file → ${expected === "***" ? "sent as *** (the server keeps its secret)" : "the stored value is sent"}`, async () => {
      const { runImport } = await import("../../src/commands/import.js");
      const dir = tempFolder("airconn-import-");
      const file = join(dir, "c.json");
      writeFileSync(
        file,
        JSON.stringify({ hook: { conn_type: "http", extra: '{"webhook_url": "***", "api_key": "***", "a": 2}' } }),
      );
      // 3.3 shows the stored webhook_url as "***", 3.2 in clear; api_key is "***" on both
      const af = await fakeAirflow(
        [
          {
            connection_id: "hook",
            conn_type: "http",
            extra: '{"webhook_url": "https://hooks.example.com/real", "api_key": "k-1", "a": 1}',
          },
        ],
        { airflowVersion: version },
      );
      const s = setup({ airflow: af, globals: { output: "json" } });
      expect(await s.run((d) => runImport({ file, onExistence: "overwrite" }, d))).toBe(0);
      const bulk = af.requests.filter((r) => r.method === "PATCH" && r.path === "/api/v2/connections");
      expect(bulk).toHaveLength(1);
      const entity = (bulk[0]!.json as { actions: Array<{ entities: Array<{ extra: string }> }> }).actions[0]!
        .entities[0]!;
      expect(JSON.parse(entity.extra)).toEqual({ webhook_url: expected, api_key: "***", a: 2 });
      // either way the server keeps both secrets
      expect(af.stored("hook")!.extra).toBe(
        '{"webhook_url": "https://hooks.example.com/real", "api_key": "k-1", "a": 2}',
      );
      if (expected !== "***")
        expect(s.io.stderr()).toMatch(
          /hook: extra\.webhook_url is "\*\*\*" in the file, which this server does not treat as a secret/,
        );
      else expect(s.io.stderr()).not.toMatch(/does not treat/);
    });
  }
});
