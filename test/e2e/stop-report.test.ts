// Issue 19, "A report on every stop": SIGINT (Ctrl-C), SIGTERM (a CI timeout, `kill`) and SIGHUP (a closed terminal)
// during import, bulk, apply and a multi-id delete stop the sending (no new request starts), wait for the requests in
// flight, print the same report as a finished run with the ids never sent as "not attempted", and exit 130 (143 for
// SIGTERM, 129 for SIGHUP). The -o json report is checked id for id against what the local server stored; a re-run
// finishes the job. A second signal still ends at once. The server answers every request after 50 ms.
import { beforeEach, describe, expect, it } from "vitest";
import { signalWhen } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import type { ReportFailure } from "../support/report.js";

const fake = useFakeAirflow({ latencyMs: 50 }, { prefix: "airconn-stop-report-" });
beforeEach(() => fake.server.reset());

interface StoppedReport {
  created: string[];
  updated: string[];
  deleted: string[];
  skipped: string[];
  failed: ReportFailure[];
  not_attempted?: string[];
}
const parse = (stdout: string): StoppedReport => JSON.parse(stdout) as StoppedReport;
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}_${String(i + 1).padStart(4, "0")}`);
const sorted = (xs: readonly string[]) => [...xs].sort();
const stored = (id: string) => fake.server.stored(id) !== undefined;
/** An import file (Airflow's export JSON): one connection per id. */
const importFile = (name: string, list: string[]) =>
  fake.file(
    name,
    JSON.stringify(
      Object.fromEntries(list.map((id) => [id, { conn_type: "postgres", host: `db-${id}`, login: "app", port: 5432 }])),
    ),
  );
/** The ids the server received in bulk requests since `from` (each in the request that carried it). */
const sentInBulk = (from: number) =>
  fake
    .bulkRequests(from)
    .flatMap((q) =>
      (q.json as { actions: Array<{ entities: Array<string | { connection_id: string }> }> }).actions.flatMap((a) =>
        a.entities.map((e) => (typeof e === "string" ? e : e.connection_id)),
      ),
    );

const EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** The summary line on stderr agrees with the report, and the run says it was interrupted (nothing else went wrong). */
function expectStoppedOutput(stderr: string, rep: StoppedReport, total: number, sig: keyof typeof EXIT): void {
  expect(stderr).toContain(`airconn: stopping (${sig}): no new requests; waiting for those in flight, then the report`);
  expect(stderr).toContain(
    `created ${rep.created.length}, updated ${rep.updated.length}, deleted ${rep.deleted.length}, skipped ${rep.skipped.length}, failed ${rep.failed.length}, not attempted ${rep.not_attempted!.length}\n`,
  );
  expect(stderr).toMatch(
    new RegExp(`^airconn: interrupted: ${rep.not_attempted!.length} of ${total} not attempted; `, "m"),
  );
  expect(stderr).not.toMatch(/unexpected error|^\s+at /m);
}

describe("import of 5,000 connections (chunks of 10, 4 in flight), stopped by a signal", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)(
    "%s: the report names exactly what the server stored; a re-run with --on-existence skip completes the rest",
    async (sig) => {
      const list = ids(sig.toLowerCase(), 5000);
      const p = importFile(`${sig}.json`, list);
      const from = fake.server.requests.length;
      let sentAt = 0;
      const started = performance.now();
      const r = await fake.run(["--concurrency", "4", "import", p, "--chunk-size", "10", "-o", "json"], {
        timeoutMs: 60_000,
        onSpawn: signalWhen(sig, () => fake.bulkRequests(from).length >= 40, {
          onSent: (at) => {
            sentAt = at;
          },
        }),
      });
      const ended = performance.now();
      expect(r.code, r.stderr).toBe(EXIT[sig]);
      const rep = parse(r.stdout); // valid JSON: the document was written whole
      expect(Object.keys(rep)).toEqual(["created", "updated", "deleted", "skipped", "failed", "not_attempted"]);
      expect(rep.failed).toEqual([]);
      expect(rep.updated).toEqual([]);
      expect(rep.created.length).toBeGreaterThanOrEqual(40 * 10 - 4 * 10); // the requests in flight were waited for, not aborted
      expect(rep.not_attempted!.length).toBeGreaterThan(0);
      // every id in exactly one list
      expect(sorted([...rep.created, ...rep.not_attempted!])).toEqual(sorted(list));
      // id for id: what was created is what the server holds; what was not attempted is not there, and was never sent
      expect(sorted(list.filter(stored))).toEqual(sorted(rep.created));
      for (const id of rep.not_attempted!) expect(stored(id), id).toBe(false);
      expect(sorted(sentInBulk(from))).toEqual(sorted(rep.created));
      // no new request started after the signal: at most those about to go out when it arrived (4 in flight at a time)
      expect(fake.bulkRequests(from).filter((q) => q.at > sentAt).length).toBeLessThanOrEqual(8);
      expect(ended - sentAt).toBeLessThan(5000);
      expect(sentAt - started).toBeGreaterThan(0);
      expectStoppedOutput(r.stderr, rep, 5000, sig);

      const again = await fake.run(["import", p, "--on-existence", "skip", "-o", "json"], { timeoutMs: 60_000 });
      expect(again.code, again.stderr).toBe(0);
      const rep2 = parse(again.stdout);
      expect(rep2.not_attempted).toBeUndefined(); // a finished run's report keeps its usual shape
      expect(sorted(rep2.skipped)).toEqual(sorted(rep.created));
      expect(sorted(rep2.created)).toEqual(sorted(rep.not_attempted!));
      expect(list.every(stored)).toBe(true);
    },
    90_000,
  );

  it("-o plain: the ids never sent are listed as 'not attempted' with their action", async () => {
    const list = ids("plain", 600);
    const p = importFile("plain.json", list);
    const from = fake.server.requests.length;
    const r = await fake.run(["--concurrency", "2", "import", p, "--chunk-size", "10", "-o", "plain"], {
      onSpawn: signalWhen("SIGINT", () => fake.bulkRequests(from).length >= 6),
    });
    expect(r.code, r.stderr).toBe(130);
    const rows = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t"));
    expect(rows).toHaveLength(600);
    const notAttempted = rows.filter((x) => x[2] === "not attempted");
    expect(notAttempted.length).toBeGreaterThan(0);
    expect(notAttempted.every((x) => x[1] === "create" && x[3] === "")).toBe(true);
    for (const [id] of notAttempted) expect(stored(id!)).toBe(false);
    for (const [id] of rows.filter((x) => x[2] === "created")) expect(stored(id!)).toBe(true);
  });

  it("a second signal ends at once, without waiting (exit 143, no report)", async () => {
    const list = ids("twice", 2000);
    const p = importFile("twice.json", list);
    const from = fake.server.requests.length;
    let firstAt = 0;
    // Before the first signal, the server stops answering writes: the request in flight (in the server's 50 ms
    // latency; faults apply after it) never ends, so the second signal surely comes while the first is still waiting
    // for it, however loaded the machine (a fixed 10 ms gap alone lost that race on a busy CI runner).
    const hangOnceFive = () => {
      if (fake.bulkRequests(from).length < 5) return false;
      fake.server.setFaults({ hang: true, methods: ["PATCH"] });
      return true;
    };
    const r = await fake
      .run(["--concurrency", "1", "import", p, "--chunk-size", "10", "-o", "json"], {
        onSpawn: signalWhen("SIGTERM", hangOnceFive, {
          again: 10,
          onSent: (at) => {
            firstAt ||= at;
          },
        }),
      })
      .finally(() => fake.server.setFaults(undefined));
    expect(r.code, r.stderr).toBe(143);
    expect(r.stdout).toBe("");
    expect(firstAt).toBeGreaterThan(0);
  });
});

describe("bulk, apply and a multi-id delete, stopped by Ctrl-C: the report, exit 130, as the server has it", () => {
  it("bulk: a create action of 2,000 in chunks of 10", async () => {
    const list = ids("bulk", 2000);
    const p = fake.file(
      "bulk.json",
      JSON.stringify({
        actions: [
          { action: "create", entities: list.map((id) => ({ connection_id: id, conn_type: "http", host: "h" })) },
        ],
      }),
    );
    const from = fake.server.requests.length;
    const r = await fake.run(["--concurrency", "4", "bulk", p, "--chunk-size", "10", "-o", "json"], {
      onSpawn: signalWhen("SIGINT", () => fake.bulkRequests(from).length >= 20),
    });
    expect(r.code, r.stderr).toBe(130);
    const rep = parse(r.stdout);
    expect(rep.failed).toEqual([]);
    expect(rep.created.length).toBeGreaterThan(0);
    expect(rep.not_attempted!.length).toBeGreaterThan(0);
    expect(sorted([...rep.created, ...rep.not_attempted!])).toEqual(sorted(list));
    expect(sorted(list.filter(stored))).toEqual(sorted(rep.created));
    expect(sorted(sentInBulk(from))).toEqual(sorted(rep.created));
    expectStoppedOutput(r.stderr, rep, 2000, "SIGINT");
  });

  it("apply: 100 to create (one request), 200 to update (one PATCH each, 2 in flight): stopped among the updates", async () => {
    const existing = ids("ap", 200);
    const setup = await fake.run(["import", importFile("ap-setup.json", existing)]);
    expect(setup.code, setup.stderr).toBe(0);
    const fresh = ids("apnew", 100);
    const yaml =
      "connections:\n" +
      [...existing, ...fresh]
        .map((id) => `  - {connection_id: ${id}, conn_type: postgres, host: new-${id}, login: app, port: 5432}\n`)
        .join("");
    const p = fake.file("apply.yaml", yaml);
    const from = fake.server.requests.length;
    const patches = () =>
      fake.since(from).filter((q) => q.method === "PATCH" && q.path.startsWith("/api/v2/connections/"));
    const r = await fake.run(["--concurrency", "2", "apply", p, "--pattern", "ap%", "-o", "json"], {
      onSpawn: signalWhen("SIGINT", () => patches().length >= 10),
    });
    expect(r.code, r.stderr).toBe(130);
    const rep = parse(r.stdout);
    expect(rep.failed).toEqual([]);
    expect(sorted(rep.created)).toEqual(sorted(fresh));
    expect(rep.updated.length).toBeGreaterThanOrEqual(10 - 2);
    expect(rep.not_attempted!.length).toBeGreaterThan(0);
    expect(sorted([...rep.updated, ...rep.not_attempted!])).toEqual(sorted(existing));
    for (const id of fresh) expect(stored(id)).toBe(true);
    for (const id of rep.updated) expect(fake.server.stored(id)!.host, id).toBe(`new-${id}`);
    for (const id of rep.not_attempted!) expect(fake.server.stored(id)!.host, id).toBe(`db-${id}`);
    expect(sorted(patches().map((q) => decodeURIComponent(q.path.split("/").pop()!)))).toEqual(sorted(rep.updated));
    expectStoppedOutput(r.stderr, rep, 300, "SIGINT");
  });

  it("delete of 200 ids (4 in flight)", async () => {
    const list = ids("del", 200);
    const setup = await fake.run(["import", importFile("del-setup.json", list)]);
    expect(setup.code, setup.stderr).toBe(0);
    const from = fake.server.requests.length;
    const deletes = () => fake.since(from).filter((q) => q.method === "DELETE");
    const r = await fake.run(["--concurrency", "4", "delete", ...list, "--yes", "-o", "json"], {
      onSpawn: signalWhen("SIGINT", () => deletes().length >= 20),
    });
    expect(r.code, r.stderr).toBe(130);
    const rep = parse(r.stdout);
    expect(rep.failed).toEqual([]);
    expect(rep.deleted.length).toBeGreaterThanOrEqual(20 - 4);
    expect(rep.not_attempted!.length).toBeGreaterThan(0);
    expect([...rep.deleted, ...rep.not_attempted!]).toEqual(list); // in the order given
    for (const id of rep.deleted) expect(stored(id), id).toBe(false);
    for (const id of rep.not_attempted!) expect(stored(id), id).toBe(true);
    expect(sorted(deletes().map((q) => decodeURIComponent(q.path.split("/").pop()!)))).toEqual(sorted(rep.deleted));
    expectStoppedOutput(r.stderr, rep, 200, "SIGINT");
  });
});
