import { afterEach, describe, expect, it } from "vitest";
import { AirflowApi } from "../../src/api/client.js";
import { Report } from "../../src/output/report.js";
import {
  executeActions,
  hasRedacted,
  idsInBulkError,
  recordResult,
  withoutRedacted,
  overwriteBody,
} from "../../src/bulk/engine.js";
import { checkBulkBody } from "../../src/bulk/validate.js";
import { closeAirflows, fakeAirflow } from "./commands-support.js";

describe("idsInBulkError", () => {
  it("reads the ids of a Python set literal", () => {
    expect(idsInBulkError("The connections with these connection_ids: {'a', 'b.c', 'café_1'} already exist.")).toEqual([
      "a",
      "b.c",
      "café_1",
    ]);
    expect(idsInBulkError("The connections with these connection_ids: {'x'} were not found.")).toEqual(["x"]);
    expect(idsInBulkError("Internal Server Error")).toBeUndefined();
  });
});

describe("recordResult", () => {
  it("create/fail: named ids fail as existing, the rest fail as not created", () => {
    const r = new Report();
    recordResult(
      { action: "create", entities: [], action_on_existence: "fail" },
      ["a", "b", "c"],
      {
        success: [],
        errors: [{ error: "The connections with these connection_ids: {'b'} already exist.", status_code: 409 }],
      },
      r,
    );
    expect(r.toJSON().failed).toEqual([
      { connection_id: "b", action: "create", error: "connection b already exists", status_code: 409 },
      {
        connection_id: "a",
        action: "create",
        error: "not created: the server rejected the whole request because of other ids in it",
        status_code: null,
      },
      {
        connection_id: "c",
        action: "create",
        error: "not created: the server rejected the whole request because of other ids in it",
        status_code: null,
      },
    ]);
  });
  it("create/skip: ids missing from success were skipped", () => {
    const r = new Report();
    recordResult(
      { action: "create", entities: [], action_on_existence: "skip" },
      ["a", "b"],
      { success: ["a"], errors: [] },
      r,
    );
    expect(r.toJSON()).toMatchObject({ created: ["a"], skipped: ["b"], failed: [] });
  });
  it("create/overwrite: ids known to exist count as updated", () => {
    const r = new Report();
    recordResult(
      { action: "create", entities: [], action_on_existence: "overwrite" },
      ["a", "b"],
      { success: ["a", "b"], errors: [] },
      r,
      new Set(["b"]),
    );
    expect(r.toJSON()).toMatchObject({ created: ["a"], updated: ["b"] });
  });
  it("delete/fail: a missing id fails the whole action", () => {
    const r = new Report();
    recordResult(
      { action: "delete", entities: [], action_on_non_existence: "fail" },
      ["a", "x"],
      {
        success: [],
        errors: [{ error: "The connections with these connection_ids: {'x'} were not found.", status_code: 404 }],
      },
      r,
    );
    expect(r.failed.map((f) => [f.connection_id, f.status_code])).toEqual([
      ["x", 404],
      ["a", null],
    ]);
    expect(r.summary()).toBe("created 0, updated 0, deleted 0, skipped 0, failed 2");
  });
});

describe("executeActions", () => {
  afterEach(closeAirflows);

  it("splits into chunks, sends them in parallel, and accounts for every id; a failed request fails its ids only", async () => {
    // the local server answers the second bulk request with its plain-text 500, the others as Airflow does
    let n = 0;
    const af = await fakeAirflow([], {
      intercept: (r) =>
        r.method === "PATCH" && r.path === "/api/v2/connections" && ++n === 2
          ? { status: 500, text: "Internal Server Error" }
          : undefined,
    });
    const api = new AirflowApi({ baseUrl: af.url, token: af.adminToken });
    const entities = Array.from({ length: 25 }, (_, i) => ({ connection_id: `c${i}`, conn_type: "http" }));
    const report = new Report();
    await executeActions(api, [{ action: "create", entities, action_on_existence: "fail" }], {
      report,
      chunkSize: 10,
      concurrency: 1,
    });
    const bodies = af.requests.map((r) => r.json as { actions: Array<{ entities: Array<{ connection_id: string }> }> });
    expect(bodies.map((b) => b.actions[0]!.entities.length)).toEqual([10, 10, 5]);
    expect(report.created).toHaveLength(15);
    expect(report.failed.map((f) => f.connection_id)).toEqual(entities.slice(10, 20).map((e) => e.connection_id));
    expect(report.failed[0]!.error).toBe("server error 500: Internal Server Error");
    expect(report.total).toBe(25);
    expect(af.all().map((c) => c.connection_id)).toEqual(
      [...entities.slice(0, 10), ...entities.slice(20)].map((e) => e.connection_id),
    );
  });
});

describe("*** handling", () => {
  it("finds *** in the password or anywhere in extra", () => {
    expect(hasRedacted({ connection_id: "a", conn_type: "x", password: "***" })).toBe(true);
    expect(hasRedacted({ connection_id: "a", conn_type: "x", extra: '{"nested": {"token": "***"}}' })).toBe(true);
    expect(hasRedacted({ connection_id: "a", conn_type: "x", extra: '{"note": "*** not a secret ***"}' })).toBe(false);
  });
  it("drops redacted values for new connections, keeping the rest of extra as Python writes it", () => {
    expect(
      withoutRedacted({
        connection_id: "a",
        conn_type: "x",
        password: "***",
        extra: '{"token": "***", "region": "eu", "n": 1.0}',
      }),
    ).toEqual({ connection_id: "a", conn_type: "x", password: null, extra: '{"region": "eu", "n": 1.0}' });
  });
  it("an overwrite body names every field", () => {
    expect(Object.keys(overwriteBody({ connection_id: "a", conn_type: "x" }))).toEqual([
      "connection_id",
      "conn_type",
      "description",
      "host",
      "login",
      "schema",
      "port",
      "password",
      "extra",
    ]);
  });
});

describe("checkBulkBody", () => {
  it("accepts the API's shapes and normalises port, extra objects and delete objects", () => {
    const { actions, problems } = checkBulkBody({
      actions: [
        {
          action: "create",
          entities: [{ connection_id: "a", conn_type: "http", port: "8080", extra: { k: "v" } }],
          action_on_existence: "skip",
        },
        { action: "update", entities: [{ connection_id: "b", conn_type: "http", host: "h" }], update_mask: ["host"] },
        { action: "delete", entities: ["c", { connection_id: "d" }], action_on_non_existence: "skip" },
      ],
    });
    expect(problems).toEqual([]);
    expect(actions[0]).toEqual({
      action: "create",
      action_on_existence: "skip",
      entities: [{ connection_id: "a", conn_type: "http", port: 8080, extra: '{"k": "v"}' }],
    });
    expect(actions[1]).toMatchObject({ update_mask: ["host"], action_on_non_existence: "fail" });
    expect(actions[2]).toMatchObject({ entities: ["c", "d"] });
  });
  it.each([
    [
      { actions: [{ action: "upsert", entities: [] }] },
      "actions[0].action",
      'must be create, update or delete, got "upsert"',
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "x" }] }] },
      "actions[0].entities[0].conn_type",
      "is required",
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "a/b", conn_type: "x" }] }] },
      "actions[0].entities[0].connection_id",
      "\"a/b\" may contain only letters, digits, '_', '.' and '-'",
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "x".repeat(201), conn_type: "x" }] }] },
      "actions[0].entities[0].connection_id",
      "is 201 characters long: at most 200",
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "x", conn_type: "x", port: 70000 }] }] },
      "actions[0].entities[0].port",
      "must be between 0 and 65535, got 70000",
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "x", conn_type: "x", extra: "[1]" }] }] },
      "actions[0].entities[0].extra",
      'must be a JSON object, e.g. {"key": "value"}',
    ],
    [
      { actions: [{ action: "create", entities: [{ connection_id: "x", conn_id: "x", conn_type: "x" }] }] },
      "actions[0].entities[0].conn_id",
      "unknown field: the API calls it connection_id",
    ],
    [
      { actions: [{ action: "update", entities: [], update_mask: ["hostname"] }] },
      "actions[0].update_mask[0]",
      expect.stringContaining('unknown field "hostname"'),
    ],
    [
      { actions: [{ action: "delete", entities: [3] }] },
      "actions[0].entities[0]",
      "must be a connection id string, got 3",
    ],
    [{ actions: [], extra: 1 }, "extra", 'unknown key: a bulk file holds only "actions"'],
  ])("refuses %j", (doc, path, message) => {
    expect(checkBulkBody(doc).problems).toContainEqual({ path, message });
  });
});
