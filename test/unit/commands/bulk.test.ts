// `airconn bulk`: a BulkBody file (JSON or YAML) checked first (every problem with its line, nothing sent), then sent
// action by action in chunks; update_mask honoured with single PATCHes; a report per id in every format; --dry-run.
import { afterEach, describe, expect, it } from "vitest";
import { runBulk } from "../../../src/commands/bulk.js";
import {
  closeAirflows,
  fakeAirflow,
  setup,
  storedFields as fields,
  tempFile as file,
  type Airflow,
} from "../commands-support.js";
import { report } from "../../support/report.js";

afterEach(closeAirflows);

const bulkRequests = (af: Airflow) =>
  af.requests.filter((r) => r.method === "PATCH" && r.path === "/api/v2/connections");

const MIXED = {
  actions: [
    {
      action: "create",
      entities: [
        { connection_id: "new_a", conn_type: "postgres", host: "a.db", port: 5432, extra: { sslmode: "require" } },
        { connection_id: "new_b", conn_type: "http", host: "b.example.com" },
      ],
    },
    {
      action: "update",
      update_mask: ["host"],
      entities: [{ connection_id: "conn_00001", conn_type: "mysql", host: "moved.example.com", login: "not-sent" }],
    },
    { action: "delete", entities: ["conn_00002"] },
    { action: "update", entities: [{ connection_id: "ghost", conn_type: "http", host: "x" }] },
    { action: "create", entities: [{ connection_id: "conn_00003", conn_type: "http" }] },
  ],
};

describe("bulk", () => {
  it("a mixed file: per-id JSON report, exit 1, and the server holds exactly the successful changes", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const before = new Map(af.all().map((c) => [c.connection_id, c]));
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runBulk({ file: file("mixed.json", JSON.stringify(MIXED, null, 2)) }, d))).toBe(1);
    const rep = report(s.io.stdout());
    expect(Object.keys(rep)).toEqual(["created", "updated", "deleted", "skipped", "failed"]);
    expect(rep.created).toEqual(["new_a", "new_b"]);
    expect(rep.updated).toEqual(["conn_00001"]);
    expect(rep.deleted).toEqual(["conn_00002"]);
    expect(rep.skipped).toEqual([]);
    expect(rep.failed).toEqual([
      { connection_id: "ghost", action: "update", error: "connection ghost was not found", status_code: 404 },
      {
        connection_id: "conn_00003",
        action: "create",
        error: "connection conn_00003 already exists",
        status_code: 409,
      },
    ]);
    expect(s.io.stderr()).toMatch(
      /^created 2, updated 1, deleted 1, skipped 0, failed 2\nairconn: 2 of 6 failed: ghost, conn_00003\n$/,
    );

    // the server: the update changed only the masked field, the failed actions changed nothing
    expect(fields(af.stored("conn_00001"))).toEqual({ ...fields(before.get("conn_00001")), host: "moved.example.com" });
    expect(af.stored("conn_00002")).toBeUndefined();
    expect(af.stored("conn_00003")).toEqual(before.get("conn_00003"));
    expect(af.stored("ghost")).toBeUndefined();
    expect(fields(af.stored("new_a"))).toEqual({
      connection_id: "new_a",
      conn_type: "postgres",
      description: null,
      host: "a.db",
      login: null,
      schema: null,
      port: 5432,
      password: null,
      extra: '{"sslmode": "require"}',
      team_name: null,
    });
    // one bulk request per action, the actions in file order, delete entities as id strings; the update with a mask
    // is not a bulk request (servers ignore update_mask there) but one PATCH per entity that carries the mask
    const sent = bulkRequests(af).map((q) => (q.json as { actions: Array<Record<string, unknown>> }).actions);
    expect(sent.map((a) => a.map((x) => x.action))).toEqual([["create"], ["delete"], ["update"], ["create"]]);
    expect(sent[1]![0]!.entities).toEqual(["conn_00002"]);
    const single = af.writes().filter((q) => q.path !== "/api/v2/connections");
    expect(single.map((q) => [q.method, q.path, q.rawQuery])).toEqual([
      ["PATCH", "/api/v2/connections/conn_00001", "update_mask=host"],
    ]);
    expect(single[0]!.json).toEqual({
      connection_id: "conn_00001",
      conn_type: "mysql",
      host: "moved.example.com",
      login: "not-sent",
    });
  });

  it("an update with update_mask changes only the masked fields, though the entity carries others (servers ignore the mask in bulk)", async () => {
    const af = await fakeAirflow([], { seed: 3 });
    const before = af.stored("conn_00002")!;
    expect(before.conn_type).not.toBe("ftp");
    const body = {
      actions: [
        {
          action: "update",
          update_mask: ["host"],
          entities: [
            {
              connection_id: "conn_00002",
              conn_type: "ftp",
              host: "only-this.example.com",
              login: "someone-else",
              port: 1,
            },
          ],
        },
      ],
    };
    const s = setup({ airflow: af, globals: { output: "json", verbose: true } });
    expect(await s.run((d) => runBulk({ file: file("masked.json", JSON.stringify(body)) }, d)), s.io.stderr()).toBe(0);
    expect(report(s.io.stdout()).updated).toEqual(["conn_00002"]);
    expect(s.io.stderr()).toContain(
      "* actions[0]: Airflow ignores update_mask in bulk updates, so its 1 entity goes as single PATCH requests with update_mask=host\n",
    );
    expect(fields(af.stored("conn_00002"))).toEqual({ ...fields(before), host: "only-this.example.com" });
    expect(bulkRequests(af)).toHaveLength(0);
    // the same file against a missing id (default fail): nothing is sent, as the server's bulk action would do
    const start = af.writes().length;
    const missing = {
      actions: [
        {
          action: "update",
          update_mask: ["host"],
          entities: [
            { connection_id: "conn_00001", conn_type: "http", host: "x" },
            { connection_id: "nope", conn_type: "http", host: "x" },
          ],
        },
      ],
    };
    const t = setup({ airflow: af, globals: { output: "json" } });
    expect(await t.run((d) => runBulk({ file: file("masked-missing.json", JSON.stringify(missing)) }, d))).toBe(1);
    expect(report(t.io.stdout()).failed.map((f) => [f.connection_id, f.status_code])).toEqual([
      ["conn_00001", null],
      ["nope", 404],
    ]);
    expect(af.writes().length).toBe(start);
    expect(af.stored("conn_00001")!.host).not.toBe("x");
  });

  it("piped without -o: one line per id (id, action, result, error); YAML read by its content", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const s = setup({ airflow: af });
    expect(await s.run((d) => runBulk({ file: file("mixed.yaml", JSON.stringify(MIXED)) }, d))).toBe(1);
    expect(
      s.io
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")),
    ).toEqual([
      ["new_a", "create", "created", ""],
      ["new_b", "create", "created", ""],
      ["conn_00001", "update", "updated", ""],
      ["conn_00002", "delete", "deleted", ""],
      ["ghost", "update", "failed", "connection ghost was not found"],
      ["conn_00003", "create", "failed", "connection conn_00003 already exists"],
    ]);
  });

  it("standard input (-): read as JSON or YAML", async () => {
    const af = await fakeAirflow();
    const yaml =
      "actions:\n  - action: create\n    entities:\n      - {connection_id: from_stdin, conn_type: http, host: h}\n";
    const s = setup({ airflow: af, stdin: yaml, globals: { output: "json" } });
    expect(await s.run((d) => runBulk({ file: "-" }, d))).toBe(0);
    expect(report(s.io.stdout()).created).toEqual(["from_stdin"]);
    expect(af.stored("from_stdin")).toMatchObject({ conn_type: "http", host: "h" });
  });

  it("--dry-run prints the requests and sends nothing", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const s = setup({ airflow: af });
    expect(
      await s.run((d) => runBulk({ file: file("mixed3.json", JSON.stringify(MIXED)), dryRun: true, chunkSize: 1 }, d)),
      s.io.stderr(),
    ).toBe(0);
    const out = JSON.parse(s.io.stdout()) as {
      requests: Array<{ method: string; path: string; body: { actions: Array<{ entities: unknown[] }> } }>;
    };
    expect(out.requests).toHaveLength(6);
    expect(out.requests.map((q) => [q.method, q.path])).toEqual([
      ["PATCH", "/api/v2/connections"],
      ["PATCH", "/api/v2/connections"],
      ["PATCH", "/api/v2/connections/conn_00001?update_mask=host"], // update_mask: a single PATCH, not bulk
      ["PATCH", "/api/v2/connections"],
      ["PATCH", "/api/v2/connections"],
      ["PATCH", "/api/v2/connections"],
    ]);
    for (const q of out.requests)
      if (q.path === "/api/v2/connections") expect(q.body.actions[0]!.entities).toHaveLength(1);
    expect(s.io.stderr()).toBe(
      "actions[1]: Airflow ignores update_mask in bulk updates, so its 1 entity goes as single PATCH requests with update_mask=host\n" +
        "dry run: 6 ids in 6 requests; nothing was sent\n",
    );
    expect(af.requests).toHaveLength(0);
  });

  it("local validation errors point into the file and nothing is sent", async () => {
    const af = await fakeAirflow([], { seed: 5 });
    const bad = {
      actions: [
        { action: "create", entities: [{ connection_id: "ok_1", conn_type: "http", port: "abc" }] },
        {
          action: "update",
          entities: [
            { connection_id: "a", conn_type: "http" },
            { connection_id: "b", conn_type: "http" },
            { connection_id: "bad id!", conn_type: "http" },
          ],
        },
        { action: "delete", entities: [{ conn_id: "x" }] },
        { action: "upsert", entities: [] },
      ],
    };
    const p = file("bad.json", JSON.stringify(bad));
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runBulk({ file: p }, d))).toBe(2);
    expect(s.io.stdout()).toBe("");
    // every problem, with its line (the JSON is one line here)
    const err = s.io.stderr();
    expect(err).toContain(`airconn: ${p}:1: actions[0].entities[0].port: must be an integer, got "abc"\n`);
    expect(err).toContain(
      `airconn: ${p}:1: actions[1].entities[2].connection_id: "bad id!" may contain only letters, digits, '_', '.' and '-'\n`,
    );
    expect(err).toContain(`airconn: ${p}:1: actions[2].entities[0].connection_id: must be a connection id string`);
    expect(err).toContain(`airconn: ${p}:1: actions[3].action: must be create, update or delete, got "upsert"\n`);
    expect(err).toMatch(/nothing was sent\n$/);
    expect(af.requests).toHaveLength(0);

    const y = setup({ airflow: af });
    expect(
      await y.run((d) =>
        runBulk(
          {
            file: file(
              "bad.yaml",
              "actions:\n  - action: create\n    entities:\n      - connection_id: x\n        conn_id: x\n        conn_type: http\n",
            ),
          },
          d,
        ),
      ),
    ).toBe(2);
    expect(y.io.stderr()).toContain("actions[0].entities[0].conn_id: unknown field: the API calls it connection_id");
    expect(af.requests).toHaveLength(0);
  });

  it("a file with no entities, or that is not JSON or YAML: exit 2, nothing sent", async () => {
    const af = await fakeAirflow();
    const empty = setup({ airflow: af });
    expect(
      await empty.run((d) =>
        runBulk({ file: file("empty.json", '{"actions": [{"action": "delete", "entities": []}]}') }, d),
      ),
    ).toBe(2);
    expect(empty.io.stderr()).toMatch(/empty\.json: no entities in any action, nothing to do\n$/);
    const junk = setup({ airflow: af });
    expect(await junk.run((d) => runBulk({ file: file("junk.json", "{not json") }, d))).toBe(2);
    expect(junk.io.stderr()).toMatch(/^airconn: .*junk\.json/);
    expect(af.requests).toHaveLength(0);
  });
});
