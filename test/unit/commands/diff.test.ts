// `airconn diff`: a connections file (airconn YAML, ${VAR} from the environment, or any format import reads) or
// another profile's Airflow against the server: to create, to update field by field, unchanged, only on the server;
// secrets never shown; --pattern/--prefix scope, --prune, --exit-code; nothing is ever written.
import { afterEach, describe, expect, it } from "vitest";
import { runDiff } from "../../../src/commands/apply.js";
import { closeAirflows, configFolder, fakeAirflow, setup, tempFile, type Airflow } from "../commands-support.js";
import { ENV, IN_SYNC, SERVER, YAML } from "./plan-fixture.js";

afterEach(closeAirflows);

describe("diff of a file", () => {
  it("plain: a row per change (secrets never shown), the summary and what was not compared on stderr; exit 0, no write", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, env: ENV });
    expect(await s.run((d) => runDiff({ file: tempFile("c.yaml", YAML) }, d))).toBe(0);
    expect(s.io.stdout()).toBe(
      [
        'fresh\tcreate\tconn_type\t"http"',
        'fresh\tcreate\thost\t"f"',
        "fresh\tcreate\tpassword\t(set on create)",
        "fresh\tcreate\textra.api_key\t(set on create)",
        'fresh\tcreate\textra.region\t"eu"',
        'chg\tupdate\thost\t"old" → "new"',
        "extra_one\tonly on server\t\t",
        "",
      ].join("\n"),
    );
    expect(s.io.stderr()).toBe(
      "1 to create, 1 to update, 1 unchanged, 1 only on the server\n" +
        "not compared (secrets are write-only; --update-secrets sends them): chg.password\n",
    );
    for (const secret of ["secret1", "pw2", '"k"']) expect(s.io.stdout() + s.io.stderr()).not.toContain(secret);
    expect(af.requests.every((q) => q.method === "GET")).toBe(true);
  });

  it("-o json --prune: the document (create fields, update changes, unchanged, only on server, delete), nothing on stderr", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    expect(await s.run((d) => runDiff({ file: tempFile("c.yaml", YAML), prune: true }, d))).toBe(0);
    expect(JSON.parse(s.io.stdout())).toEqual({
      create: [
        {
          connection_id: "fresh",
          fields: {
            conn_type: "http",
            host: "f",
            password: "(set on create)",
            "extra.api_key": "(set on create)",
            "extra.region": "eu",
          },
        },
      ],
      update: [{ connection_id: "chg", changes: [{ field: "host", from: "old", to: "new" }] }],
      unchanged: ["same"],
      only_on_server: ["extra_one"],
      delete: ["extra_one"],
      not_compared: [{ connection_id: "chg", field: "password" }],
      missing_secrets: [],
    });
    expect(s.io.stderr()).toBe("");
  });

  it("--exit-code: 1 when anything differs (and only-on-server counts only with --prune), 0 in sync", async () => {
    const af = await fakeAirflow(SERVER);
    const differs = setup({ airflow: af, env: ENV });
    expect(await differs.run((d) => runDiff({ file: tempFile("c.yaml", YAML), exitCode: true }, d))).toBe(1);
    expect(differs.io.stderr()).not.toMatch(/airconn:/); // the rows and the summary say it all
    const inSync = tempFile("same.yaml", IN_SYNC);
    const t = setup({ airflow: af });
    expect(await t.run((d) => runDiff({ file: inSync, exitCode: true }, d))).toBe(0);
    expect(t.io.stderr()).toBe("0 to create, 0 to update, 1 unchanged, 2 only on the server\n");
    const u = setup({ airflow: af });
    expect(await u.run((d) => runDiff({ file: inSync, exitCode: true, prune: true }, d))).toBe(1);
    expect(u.io.stdout()).toBe("chg\tdelete\t\t\nextra_one\tdelete\t\t\n");
  });

  it("--update-secrets: a secret in the file is a change to send (shown as a note, never its value)", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    expect(await s.run((d) => runDiff({ file: tempFile("c.yaml", YAML), updateSecrets: true }, d))).toBe(0);
    const doc = JSON.parse(s.io.stdout()) as {
      update: Array<{ connection_id: string; changes: Array<Record<string, unknown>> }>;
      not_compared: unknown[];
    };
    expect(doc.update[0]!.changes).toContainEqual({ field: "password", secret: expect.any(String) });
    expect(doc.not_compared).toEqual([]);
    expect(s.io.stdout()).not.toContain("pw2");
  });

  it("--pattern scopes the server; a file id outside the scope is refused (exit 2) before the server is asked", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(
      await s.run((d) =>
        runDiff(
          {
            file: tempFile("s.yaml", "connections:\n  - {connection_id: same, conn_type: http, host: h2}\n"),
            pattern: "sa%",
          },
          d,
        ),
      ),
    ).toBe(0);
    expect(JSON.parse(s.io.stdout())).toMatchObject({ update: [{ connection_id: "same" }], only_on_server: [] });
    expect(af.requests.find((q) => q.path === "/api/v2/connections")!.query.get("connection_id_pattern")).toBe("sa%");
    const n = af.requests.length;
    const t = setup({ airflow: af, env: ENV });
    expect(await t.run((d) => runDiff({ file: tempFile("c.yaml", YAML), pattern: "sa%" }, d))).toBe(2);
    expect(t.io.stderr()).toMatch(/^airconn: .*c\.yaml: 2 connections are outside --pattern sa%: chg, fresh\n/);
    expect(af.requests.length).toBe(n);
  });

  it("a ${VAR} that is not set: exit 2 naming it, before any request; no file and no --from-profile: exit 2", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runDiff({ file: tempFile("c.yaml", YAML) }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/PW/);
    const t = setup({ airflow: af });
    expect(await t.run((d) => runDiff({}, d))).toBe(2);
    expect(t.io.stderr()).toMatch(/^airconn: name a file, or another profile's Airflow with --from-profile NAME\n/);
    expect(af.requests).toEqual([]);
  });
});

describe("diff --from-profile", () => {
  /** A config folder whose profile "prod" points at `source` with its admin token. */
  const prodProfile = (source: Airflow) =>
    configFolder({ profiles: { prod: { api_url: source.url, token: source.adminToken } } });

  it("the source profile's connections are the wanted state; secrets are not comparable, never changes", async () => {
    const prod = await fakeAirflow([
      { connection_id: "same", conn_type: "http", host: "h" },
      { connection_id: "chg", conn_type: "postgres", host: "new", port: 5432, password: "prod-pw" },
      { connection_id: "only_prod", conn_type: "http", password: "p" },
    ]);
    const staging = await fakeAirflow(SERVER);
    const s = setup({ airflow: staging, env: { AIRCONN_CONFIG_DIR: prodProfile(prod) }, globals: { output: "json" } });
    expect(await s.run((d) => runDiff({ fromProfile: "prod" }, d))).toBe(0);
    const doc = JSON.parse(s.io.stdout()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      create: [{ connection_id: "only_prod", fields: { conn_type: "http", password: "(secret: cannot be copied)" } }],
      update: [{ connection_id: "chg", changes: [{ field: "host", from: "old", to: "new" }] }],
      unchanged: ["same"],
      only_on_server: ["extra_one"],
      not_comparable: [{ connection_id: "chg", field: "password" }],
    });
    expect(prod.requests.every((q) => q.method === "GET")).toBe(true);
    expect(staging.requests.every((q) => q.method === "GET")).toBe(true);
  });

  it("refuses what cannot work (exit 2): a file too, --update-secrets, the profile in effect, an unknown profile", async () => {
    const prod = await fakeAirflow();
    const staging = await fakeAirflow(SERVER);
    const cfg = prodProfile(prod);
    for (const [o, message, globals] of [
      [{ fromProfile: "prod", file: "x.yaml" }, /give a file or --from-profile, not both/, {}],
      [{ fromProfile: "prod", updateSecrets: true }, /--update-secrets cannot be used with --from-profile/, {}],
      [{ fromProfile: "prod" }, /--from-profile prod is the profile in effect/, { profile: "prod" }],
      [{ fromProfile: "nope" }, /no profile named "nope"/, {}],
    ] as const) {
      const s = setup({ airflow: staging, env: { AIRCONN_CONFIG_DIR: cfg }, globals });
      expect(await s.run((d) => runDiff(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(message);
    }
    expect(prod.requests).toEqual([]);
  });
});
