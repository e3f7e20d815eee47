// `airconn defaults`: POST /connections/defaults between two listings; what was added is measured on the server.
import { afterEach, describe, expect, it } from "vitest";
import { runDefaults } from "../../../src/commands/defaults.js";
import { asAdmin, closeAirflows, fakeAirflow, listIds, setup } from "../commands-support.js";

afterEach(closeAirflows);

/** The ids create_default_connections adds on Airflow 3.2 (api-behaviour.md §6), asked of an empty local server. */
async function defaultIds(): Promise<string[]> {
  const af = await fakeAirflow();
  expect((await asAdmin(af, "POST", "/api/v2/connections/defaults")).status).toBe(204);
  return listIds(af);
}

describe("defaults", () => {
  it("lists before and after, reports added ids as created and existing defaults as skipped", async () => {
    const DEFAULT_IDS = await defaultIds();
    const af = await fakeAirflow([
      { connection_id: "mine", conn_type: "http" },
      { connection_id: "postgres_default", conn_type: "postgres" },
    ]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runDefaults(d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v2/connections",
      "POST /api/v2/connections/defaults",
      "GET /api/v2/connections",
    ]);
    // created: every default the server added (in its order), not the one that existed; "mine" is not a default
    expect(DEFAULT_IDS).toHaveLength(62); // the server's list is §6's
    const added = DEFAULT_IDS.filter((id) => id !== "postgres_default");
    expect(JSON.parse(s.io.stdout())).toEqual({
      created: added,
      updated: [],
      deleted: [],
      skipped: ["postgres_default"],
      failed: [],
    });
    expect(s.io.stderr()).toMatch(/created 61, updated 0, deleted 0, skipped 1, failed 0/);
    expect(af.stored("postgres_default")).toMatchObject({ conn_type: "postgres", host: null }); // left as it was
    const t = setup({ airflow: af, globals: { output: "plain" } });
    expect(await t.run((d) => runDefaults(d))).toBe(0);
    expect(t.io.stdout()).toBe(DEFAULT_IDS.map((id) => `${id}\tcreate\tskipped\t\n`).join(""));
    expect(t.io.stderr()).toMatch(/No default connection was added/);
    expect(af.requests.filter((r) => r.method === "POST")).toHaveLength(2); // one per run
  });

  it("an empty server: every default created, in the server's order; a re-run skips them all (exit 0 both times)", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runDefaults(d))).toBe(0);
    const first = JSON.parse(s.io.stdout()) as { created: string[]; skipped: string[] };
    expect(first.created).toEqual(await listIds(af));
    expect(first.created).toContain("postgres_default");
    expect(first.skipped).toEqual([]);
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runDefaults(d))).toBe(0);
    const again = JSON.parse(t.io.stdout()) as { created: string[]; skipped: string[] };
    expect(again.created).toEqual([]);
    expect([...again.skipped].sort()).toEqual([...first.created].sort());
    expect(t.io.stderr()).toMatch(/created 0, updated 0, deleted 0, skipped 62, failed 0/);
  });

  it("not allowed to create (403): exit 4, nothing on stdout, no report", async () => {
    const af = await fakeAirflow([], { faults: { status: 403, methods: ["POST"], pathPattern: "/defaults$" } });
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runDefaults(d))).toBe(4);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/^airconn: /);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v2/connections",
      "POST /api/v2/connections/defaults",
    ]);
    expect(af.all()).toEqual([]);
  });
});
