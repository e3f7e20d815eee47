// Issue 21, end to end: `airconn types` from the built CLI against the local server, whose catalog (GET
// /ui/connections/hook_meta) differs from the bundled one by a custom type (acme_crm), so each run shows which it used.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { plain, runCliTty } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { seed } from "../support/admin.js";

const HOOK_META = "/ui/connections/hook_meta";
const fake = useFakeAirflow({ airflowVersion: "3.2.1" }, { prefix: "airconn-types-" });
/** A fresh cache folder: each test starts with no cached catalog. */
const freshCache = () => ({ XDG_CACHE_HOME: mkdtempSync(join(fake.workDir, "cache-")) });
const hookMetaRequests = (from = 0) => fake.since(from).filter((r) => r.path === HOOK_META).length;

afterEach(() => fake.server.setHookMeta("ok"));

describe("airconn types", () => {
  it("lists the server's catalog (its custom type included) and says so on stderr", async () => {
    const env = freshCache();
    const r = await fake.run(["types"], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`source: the server's catalog (${fake.server.url}, Airflow 3.2.1)\n`);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("acme_crm\tAcme CRM\t");
    expect(lines).toContain("snowflake\tSnowflake\tapache-airflow-providers-snowflake");
    expect(hookMetaRequests()).toBeGreaterThan(0);
  });

  it("types aws -o json: the form from the server's catalog, and the same form from the bundled one on a 404", async () => {
    const server = await fake.run(["types", "aws", "-o", "json"], { env: freshCache() });
    expect(server.code).toBe(0);
    expect(server.stderr).toMatch(/^source: the server's catalog \(/);
    const doc = JSON.parse(server.stdout);
    expect(doc.standard_fields.login).toMatchObject({ label: "AWS Access Key ID", hidden: false });
    expect(doc.standard_fields.host.hidden).toBe(true);
    expect(doc.provider).toBe("apache-airflow-providers-amazon");

    fake.server.setHookMeta("missing");
    const before = fake.since().length;
    const bundled = await fake.run(["types", "aws", "-o", "json"], { env: freshCache() });
    expect(bundled.code).toBe(0);
    expect(bundled.stderr).toBe(`source: the catalog bundled with airconn (the server has no ${HOOK_META} (404))\n`);
    expect(JSON.parse(bundled.stdout)).toEqual(doc);
    expect(hookMetaRequests(before)).toBe(1);
  });

  it("with the endpoint answering 404: the bundled list (no custom type), exit 0, one -v line saying why", async () => {
    fake.server.setHookMeta("missing");
    const r = await fake.run(["types", "-v"], { env: freshCache() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("acme_crm");
    expect(r.stdout).toContain("chime\tchime\tapache-airflow-providers-amazon\n");
    const why = r.stderr.split("\n").filter((l) => l.startsWith("* connection types"));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(
      /^\* connection types: using the catalog bundled with airconn: the server has no .* \(404\)/,
    );
    expect(r.stderr).toMatch(/\nsource: the catalog bundled with airconn \(the server has no .*\(404\)\)\n$/);
    const custom = await fake.run(["types", "acme_crm"], { env: freshCache() });
    expect(custom.code).toBe(3);
  });

  it("a 403 falls back too, and the next run asks again", async () => {
    fake.server.setHookMeta("forbidden");
    const env = freshCache();
    const before = fake.since().length;
    const r = await fake.run(["types"], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("source: the catalog bundled with airconn (the server did not allow reading it (403))\n");
    fake.server.setHookMeta("ok");
    const again = await fake.run(["types"], { env });
    expect(again.stderr).toMatch(/^source: the server's catalog \(/);
    expect(hookMetaRequests(before)).toBe(2);
  });

  it("the cache: a second run sends no hook_meta request, --refresh sends one", async () => {
    const env = freshCache();
    const start = fake.since().length;
    await fake.run(["types"], { env });
    expect(hookMetaRequests(start)).toBe(1);
    const second = await fake.run(["types", "snowflake", "-o", "json"], { env });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^source: the server's catalog \(.*, cached \d+ min ago\)\n$/);
    expect(hookMetaRequests(start)).toBe(1);
    const refreshed = await fake.run(["types", "--refresh"], { env });
    expect(refreshed.stderr).not.toContain("cached");
    expect(hookMetaRequests(start)).toBe(2);
  });

  it("--bundled sends no request at all", async () => {
    const before = fake.since().length;
    const r = await fake.run(["types", "--bundled", "snowflake", "-o", "json"], { env: freshCache() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("source: the catalog bundled with airconn (--bundled)\n");
    expect(JSON.parse(r.stdout).extra_fields.map((e: { name: string }) => e.name)).toContain("warehouse");
    expect(fake.since(before)).toEqual([]);
  });

  it("an unknown type exits 3 with a suggestion", async () => {
    const r = await fake.run(["types", "snowflak"], { env: freshCache() });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('airconn: unknown connection type "snowflak"');
    expect(r.stderr).toContain("did you mean snowflake?");
  });

  it("at a terminal: a table with a header, and the form's sections", async () => {
    const env = { ...fake.env, ...freshCache() };
    const list = await runCliTty(["types"], { env });
    expect(list.code).toBe(0);
    expect(plain(list.screen)).toMatch(/^TYPE +NAME +PROVIDER$/m);
    expect(plain(list.screen)).toMatch(/^acme_crm +Acme CRM *$/m);
    const form = await runCliTty(["types", "snowflake"], { env });
    const screen = plain(form.screen);
    expect(screen).toContain("snowflake: Snowflake (apache-airflow-providers-snowflake)");
    expect(screen).toMatch(/^host +Host +yes/m);
    expect(screen).toMatch(/^warehouse +Warehouse +string/m);
  });
});

describe("commands that do not use the catalog", () => {
  it("list and get send no hook_meta request", async () => {
    await seed(fake.server, { connection_id: "types_e2e", conn_type: "snowflake", extra: '{"warehouse": "wh"}' });
    const env = freshCache();
    const before = fake.since().length;
    expect((await fake.run(["list"], { env })).code).toBe(0);
    expect((await fake.run(["get", "types_e2e"], { env })).code).toBe(0);
    expect((await fake.run(["list", "-o", "json"], { env })).code).toBe(0);
    expect(hookMetaRequests(before)).toBe(0);
    expect(fake.since(before).every((r) => r.path.startsWith("/api/v2/"))).toBe(true);
  });
});
