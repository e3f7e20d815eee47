// Issue 8, nothing lost: bulk, import, apply and a multi-id delete account for every input id as done, skipped or
// failed (the -o json report), the counts add up to the input, and what the report says matches what the server
// stored. The interrupted import: the server dies after some chunks; the report names the ids that landed, the exit
// code is 1, and a re-run with --on-existence skip finishes the job. POST/PATCH are never retried, so a 503 never
// makes a duplicate.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerSecret } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { report, type ReportJson } from "../support/report.js";

const fake = useFakeAirflow({ seed: 10 }, { prefix: "airconn-nothing-lost-" });
const { file } = fake;
beforeEach(() => fake.server.reset({ seed: 10 }));
afterEach(() => fake.server.setFaults(undefined));

const cli = (args: string[], input?: string) => fake.run(args, { input });
const ids = (prefix: string, n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `${prefix}_${String(i + from).padStart(3, "0")}`);
const storedIds = () => new Set(fake.server.all().map((c) => c.connection_id));
const PASSWORD = "S3cr3t-P4ss-nothing-lost";
registerSecret(PASSWORD);

/** Every id of the input in exactly one list of the report, and nothing else; the stderr summary agrees. */
function expectAccounted(rep: ReportJson, input: string[], stderr: string): void {
  const all = [
    ...rep.created,
    ...rep.updated,
    ...rep.deleted,
    ...rep.skipped,
    ...rep.failed.map((f) => f.connection_id),
  ];
  expect(all.length).toBe(input.length);
  expect(new Set(all)).toEqual(new Set(input));
  const summary = `created ${rep.created.length}, updated ${rep.updated.length}, deleted ${rep.deleted.length}, skipped ${rep.skipped.length}, failed ${rep.failed.length}`;
  expect(stderr).toContain(summary + "\n");
}

/** The import file: n connections with a real password. */
const importFile = (name: string, list: string[]) =>
  file(
    name,
    JSON.stringify(
      Object.fromEntries(
        list.map((id) => [
          id,
          { conn_type: "postgres", host: `db-${id}`, login: "app", password: PASSWORD, port: 5432 },
        ]),
      ),
    ),
  );

describe("every id accounted for", () => {
  it("bulk: creates, a conflicting create, updates with a missing id, deletes with skip", async () => {
    const p = file(
      "mixed.json",
      JSON.stringify({
        actions: [
          {
            action: "create",
            entities: [...ids("new", 4).map((id) => ({ connection_id: id, conn_type: "http", password: PASSWORD }))],
          },
          { action: "create", entities: [{ connection_id: "conn_00001", conn_type: "http" }] },
          {
            action: "update",
            update_mask: ["host"],
            entities: [
              { connection_id: "conn_00002", conn_type: "http", host: "h2" },
              { connection_id: "ghost_1", conn_type: "http", host: "h" },
            ],
          },
          { action: "delete", action_on_non_existence: "skip", entities: ["conn_00003", "conn_00004", "ghost_2"] },
        ],
      }),
    );
    const input = [...ids("new", 4), "conn_00001", "conn_00002", "ghost_1", "conn_00003", "conn_00004", "ghost_2"];
    const r = await cli(["bulk", p, "-o", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, input, r.stderr);
    expect(rep.created).toEqual(ids("new", 4));
    expect(rep.deleted).toEqual(["conn_00003", "conn_00004"]);
    expect(rep.skipped).toEqual(["ghost_2"]);
    expect(rep.failed.map((f) => [f.connection_id, f.status_code])).toEqual(
      expect.arrayContaining([
        ["conn_00001", 409],
        ["ghost_1", 404],
      ]),
    );
    // the update action failed as a whole (fail mode): conn_00002 is reported failed, and indeed not changed
    expect(rep.failed.map((f) => f.connection_id)).toContain("conn_00002");
    expect(fake.server.stored("conn_00002")!.host).not.toBe("h2");
    const now = storedIds();
    for (const id of rep.created) expect(now.has(id)).toBe(true);
    for (const id of rep.deleted) expect(now.has(id)).toBe(false);
  });

  it("import --on-existence skip and overwrite: skipped/updated + created = the file", async () => {
    const list = ["conn_00001", "conn_00002", ...ids("imp", 6)];
    const p = importFile("some-exist.json", list);
    const skip = await cli(["import", p, "--on-existence", "skip", "-o", "json"]);
    expect(skip.code, skip.stderr).toBe(0);
    const s = report(skip.stdout);
    expectAccounted(s, list, skip.stderr);
    expect(s.skipped).toEqual(["conn_00001", "conn_00002"]);
    expect(s.created).toEqual(ids("imp", 6));
    expect(fake.server.stored("imp_001")!.password).toBe(PASSWORD);

    const over = await cli(["import", p, "--on-existence", "overwrite", "-o", "json"]);
    expect(over.code, over.stderr).toBe(0);
    const o = report(over.stdout);
    expectAccounted(o, list, over.stderr);
    expect(o.updated.sort()).toEqual([...list].sort());
  });

  it("import --on-existence fail with existing ids: exit 5, nothing written", async () => {
    const p = importFile("conflict.json", ["conn_00005", ...ids("nope", 3)]);
    const before = fake.server.all().length;
    const r = await cli(["import", p, "-o", "json"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^airconn: 1 connection already exist, nothing was imported: conn_00005\nhint: .*--on-existence skip/,
    );
    expect(fake.server.all().length).toBe(before);
    expect(fake.server.requests.filter((q) => q.method !== "GET")).toHaveLength(0);
  });

  it("apply --prune: created, updated, unchanged (skipped), deleted, and one failed update add up to file + pruned", async () => {
    const made = await cli(["create", "keep_me", "--type", "http", "--host", "h"]);
    expect(made.code, made.stderr).toBe(0);
    const p = file(
      "apply.yaml",
      [
        "connections:",
        "  - {connection_id: keep_me, conn_type: http, host: h}",
        "  - {connection_id: conn_00001, conn_type: http, host: changed-1}",
        "  - {connection_id: conn_00002, conn_type: http, host: changed-2}",
        ...ids("app", 3).map((id) => `  - {connection_id: ${id}, conn_type: http, host: h}`),
      ].join("\n") + "\n",
    );
    const pruned = ids("conn", 8, 3).map((id) => id.replace("conn_", "conn_00"));
    fake.server.setFaults({
      status: 503,
      retryAfter: 0,
      failFirst: 1,
      methods: ["PATCH"],
      pathPattern: "/connections/conn_00002$",
    });
    const r = await cli(["apply", p, "--prune", "--yes", "-o", "json"]);
    fake.server.setFaults(undefined);
    expect(r.code, r.stderr).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, ["keep_me", "conn_00001", "conn_00002", ...ids("app", 3), ...pruned], r.stderr);
    expect(rep.skipped).toEqual(["keep_me"]);
    expect(rep.updated).toEqual(["conn_00001"]);
    expect(rep.created).toEqual(ids("app", 3));
    expect(rep.failed).toEqual([
      expect.objectContaining({ connection_id: "conn_00002", action: "update", status_code: 503 }),
    ]);
    expect([...rep.deleted].sort()).toEqual(pruned);
    expect([...storedIds()].sort()).toEqual(["app_001", "app_002", "app_003", "conn_00001", "conn_00002", "keep_me"]);
    // the failed PATCH was sent once, not retried
    expect(fake.server.requests.filter((q) => q.method === "PATCH" && q.path.endsWith("/conn_00002"))).toHaveLength(1);
  });

  it("multi-id delete: deleted + skipped (--if-exists) + failed = the ids given", async () => {
    const input = ["conn_00006", "conn_00007", "ghost_a", "conn_00008"];
    const r = await cli(["delete", ...input, "--yes", "-o", "json"]);
    expect(r.code).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, input, r.stderr);
    expect(rep.failed).toEqual([expect.objectContaining({ connection_id: "ghost_a", status_code: 404 })]);
    expect(rep.deleted).toEqual(["conn_00006", "conn_00007", "conn_00008"]);

    const again = await cli(["delete", ...input, "--yes", "--if-exists", "-o", "json"]);
    expect(again.code).toBe(0);
    const rep2 = report(again.stdout);
    expectAccounted(rep2, input, again.stderr);
    expect(rep2.skipped).toEqual(input);
  });
});

describe("interrupted import", () => {
  it("the server dies after 2 of 5 chunks: exit 1, the report names exactly the ids that landed; --on-existence skip finishes", async () => {
    const list = ids("batch", 50);
    const p = importFile("batch.json", list);
    fake.server.setFaults({ dieAfterRequests: 2, methods: ["PATCH"] });
    const r = await cli(["--concurrency", "1", "import", p, "--chunk-size", "10", "-o", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, list, r.stderr);
    expect(r.stderr).toMatch(/^airconn: 30 of 50 failed: batch_021, /m);
    // chunk 3 was cut off mid-request (it may have landed); chunks 4 and 5 found nobody listening (they cannot have)
    expect(
      rep.failed
        .slice(0, 10)
        .every(
          (f) =>
            f.action === "create" &&
            /closed before an answer came \(the request may or may not have been applied\)$/.test(f.error),
        ),
    ).toBe(true);
    expect(
      rep.failed
        .slice(10)
        .every(
          (f) =>
            f.action === "create" &&
            /connection refused \(not applied: the request never reached the server\)$/.test(f.error),
        ),
    ).toBe(true);

    fake.server.setFaults(undefined); // listening again, the store intact
    const landed = list.filter((id) => fake.server.stored(id));
    expect(rep.created).toEqual(landed);
    expect(landed).toEqual(list.slice(0, 20));

    const rerun = await cli(["import", p, "--on-existence", "skip", "--chunk-size", "10", "-o", "json"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const rep2 = report(rerun.stdout);
    expectAccounted(rep2, list, rerun.stderr);
    expect(rep2.skipped).toEqual(landed);
    expect(rep2.created).toEqual(list.slice(20));
    for (const id of list) expect(fake.server.stored(id)?.password).toBe(PASSWORD);
  });

  it("with parallel chunks: every created id is on the server, every other stored id is a failure that says it may have been applied", async () => {
    const list = ids("par", 60);
    const p = importFile("par.json", list);
    fake.server.setFaults({ dieAfterRequests: 3, methods: ["PATCH"] });
    const r = await cli(["--concurrency", "4", "import", p, "--chunk-size", "6", "-o", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, list, r.stderr);
    fake.server.setFaults(undefined);
    for (const id of rep.created) expect(fake.server.stored(id), id).toBeDefined();
    const failed = new Map(rep.failed.map((f) => [f.connection_id, f.error]));
    for (const id of list.filter((x) => fake.server.stored(x) && !rep.created.includes(x)))
      expect(failed.get(id)).toMatch(/may or may not have been applied/);
    for (const [id, error] of failed) if (/not applied/.test(error)) expect(fake.server.stored(id), id).toBeUndefined();

    const rerun = await cli(["import", p, "--on-existence", "skip", "-o", "json"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const rep2 = report(rerun.stdout);
    expectAccounted(rep2, list, rerun.stderr);
    expect(rep2.created.length + rep2.skipped.length).toBe(60);
    expect(list.every((id) => fake.server.stored(id))).toBe(true);
  });
});

describe("no duplicate from a retry", () => {
  it("bulk under a 503 on the first PATCH: each chunk sent once, the failed chunk reported, the others done", async () => {
    const list = ids("dup", 15);
    const p = file(
      "dup.json",
      JSON.stringify({
        actions: [{ action: "create", entities: list.map((id) => ({ connection_id: id, conn_type: "http" })) }],
      }),
    );
    fake.server.setFaults({ status: 503, retryAfter: 0, failFirst: 1, methods: ["PATCH"] });
    const r = await cli(["--concurrency", "1", "bulk", p, "--chunk-size", "5", "-o", "json"]);
    expect(r.code).toBe(1);
    const rep = report(r.stdout);
    expectAccounted(rep, list, r.stderr);
    const patches = fake.server.requests.filter((q) => q.method === "PATCH");
    expect(patches).toHaveLength(3);
    const sentIds = patches.flatMap((q) =>
      (q.json as { actions: Array<{ entities: Array<{ connection_id: string }> }> }).actions[0]!.entities.map(
        (e) => e.connection_id,
      ),
    );
    expect(sentIds.sort()).toEqual([...list].sort()); // every id in exactly one request
    expect(rep.failed.map((f) => f.connection_id)).toEqual(list.slice(0, 5));
    expect(rep.failed[0]!.status_code).toBe(503);
    expect(rep.created).toEqual(list.slice(5));
  });

  it("import: 503s on the existence checks (GET) are retried; the write goes once; counts add up", async () => {
    const list = [...ids("chk", 5), "conn_00009"];
    const p = importFile("chk.json", list);
    fake.server.setFaults({ status: 503, retryAfter: 0, failFirst: 3, methods: ["GET"] });
    const r = await cli(["import", p, "--on-existence", "skip", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expectAccounted(rep, list, r.stderr);
    expect(rep.skipped).toEqual(["conn_00009"]);
    expect(fake.server.requests.filter((q) => q.method === "PATCH")).toHaveLength(1);
    expect(fake.server.requests.filter((q) => q.method === "GET" && q.status === 503)).toHaveLength(3);
  });

  it("create under a 503: one POST, exit 1; a re-run with --if-not-exists creates it once", async () => {
    fake.server.setFaults({ status: 503, retryAfter: 0, failFirst: 1, methods: ["POST"] });
    const r = await cli(["create", "single_one", "--type", "postgres", "--password-stdin"], PASSWORD);
    expect(r.code).toBe(1);
    expect(fake.server.requests.filter((q) => q.method === "POST")).toHaveLength(1);
    fake.server.setFaults(undefined);
    const again = await cli(
      ["create", "single_one", "--type", "postgres", "--password-stdin", "--if-not-exists"],
      PASSWORD,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(fake.server.requests.filter((q) => q.method === "POST")).toHaveLength(2);
    expect(fake.server.all().filter((c) => c.connection_id === "single_one")).toHaveLength(1);
  });
});
