import { afterEach, describe, expect, it } from "vitest";
import { runDelete } from "../../../src/commands/delete.js";
import { closeAirflows, fakeAirflow, fakePrompter, setup } from "../commands-support.js";

afterEach(closeAirflows);

// DELETE /connections/boom fails with the server's plain-text 500 (a fault of the fake).
const seed = () =>
  fakeAirflow(
    ["a", "b", "c", "d"].map((id) => ({ connection_id: id, conn_type: "http" })),
    { faults: { plain500: true, methods: ["DELETE"], pathPattern: "/boom$" } },
  );
const ids = (af: Awaited<ReturnType<typeof seed>>) => af.all().map((c) => c.connection_id);

describe("delete without a terminal", () => {
  it("requires --yes: exit 2, no request", async () => {
    const af = await seed();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runDelete({ ids: ["a"] }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/pass --yes/);
    expect(af.requests).toHaveLength(0);
  });

  it("--yes deletes one id (stderr notice, empty stdout); a missing one is exit 3, or skipped with --if-exists", async () => {
    const af = await seed();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runDelete({ ids: ["a"], yes: true }, d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["DELETE /api/v2/connections/a"]);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(/Deleted connection a/);
    const t = setup({ airflow: af });
    expect(await t.run((d) => runDelete({ ids: ["a"], yes: true }, d))).toBe(3);
    const u = setup({ airflow: af });
    expect(await u.run((d) => runDelete({ ids: ["a"], yes: true, ifExists: true }, d))).toBe(0);
    expect(u.io.stderr()).toMatch(/does not exist; nothing deleted/);
  });

  it("several ids: each reported, order kept, exit 1 when any failed; -o json prints the report", async () => {
    const af = await seed();
    const s = setup({ airflow: af, globals: { output: "json", concurrency: 2 } });
    expect(
      await s.run((d) => runDelete({ ids: ["a", "missing", "boom", "b", "a"], yes: true, ifExists: true }, d)),
    ).toBe(1);
    expect(JSON.parse(s.io.stdout())).toEqual({
      created: [],
      updated: [],
      deleted: ["a", "b"],
      skipped: ["missing"],
      failed: [
        { connection_id: "boom", action: "delete", error: "server error 500: Internal Server Error", status_code: 500 },
      ],
    });
    expect(s.io.stderr()).toMatch(/created 0, updated 0, deleted 2, skipped 1, failed 1/);
    expect(af.requests.filter((r) => r.method === "DELETE")).toHaveLength(4); // "a" twice on the command line: once
    expect(ids(af)).toEqual(["c", "d"]);
  });

  it("several ids without --if-exists: a missing one fails with 404 in the report", async () => {
    const af = await seed();
    const s = setup({ airflow: af, globals: { output: "plain" } });
    expect(await s.run((d) => runDelete({ ids: ["c", "zz"], yes: true }, d))).toBe(1);
    expect(s.io.stdout()).toBe(
      "c\tdelete\tdeleted\t\nzz\tdelete\tfailed\tThe Connection with connection_id: `zz` was not found\n",
    );
  });
});

describe("delete: bounded concurrency", () => {
  it("never more than --concurrency deletes in flight, but more than one", async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `c${i}`);
    const af = await fakeAirflow(
      ids.map((id) => ({ connection_id: id, conn_type: "http" })),
      { latencyMs: 250 },
    ); // room for a slow event loop
    const s = setup({ airflow: af, globals: { concurrency: 3, output: "json" } });
    expect(await s.run((d) => runDelete({ ids, yes: true }, d))).toBe(0);
    // A request is in flight at the server from its arrival (at) until its answer (doneAt); count the most that overlap.
    const deletes = af.requests.filter((r) => r.method === "DELETE");
    expect(deletes).toHaveLength(9);
    const overlap = Math.max(...deletes.map((r) => deletes.filter((u) => u.at <= r.at && r.at < u.doneAt).length));
    expect(overlap).toBe(3);
    expect(JSON.parse(s.io.stdout()).deleted).toEqual(ids);
    expect(af.all()).toEqual([]);
  });
});

describe("delete on a terminal", () => {
  it("asks once, listing the ids; yes deletes", async () => {
    const af = await seed();
    const fp = fakePrompter([true]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runDelete({ ids: ["a", "b"] }, d))).toBe(0);
    expect(fp.asked).toEqual([{ kind: "confirm", message: "Delete 2 connections: a, b?" }]);
    expect(ids(af)).toEqual(["c", "d"]);
  });

  it("no: exit 130, nothing deleted; --yes: no question", async () => {
    const af = await seed();
    const s = setup({ airflow: af, tty: true, prompter: fakePrompter([false]).prompter });
    expect(await s.run((d) => runDelete({ ids: ["a"] }, d))).toBe(130);
    expect(af.requests).toHaveLength(0);
    const t = setup({ airflow: af, tty: true, prompter: fakePrompter([]).prompter });
    expect(await t.run((d) => runDelete({ ids: ["a"], yes: true }, d))).toBe(0);
  });
});
