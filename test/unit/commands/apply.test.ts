// `airconn apply`: make the server match a file (or another profile's Airflow): one bulk create for what is missing,
// one PATCH per changed connection with only the changed fields in update_mask, unchanged ids skipped, --prune (asks
// on a terminal, needs --yes without one), --dry-run; the report in every format.
import { afterEach, describe, expect, it } from "vitest";
import { runApply } from "../../../src/commands/apply.js";
import {
  closeAirflows,
  configFolder,
  fakeAirflow,
  fakePrompter,
  setup,
  tempFile,
  type Airflow,
} from "../commands-support.js";
import { ENV, IN_SYNC, SERVER, YAML } from "./plan-fixture.js";
import { report } from "../../support/report.js";

afterEach(closeAirflows);

const sent = (af: Airflow) => af.writes().map((q) => `${q.method} ${q.path}${q.rawQuery ? `?${q.rawQuery}` : ""}`);

describe("apply a file", () => {
  it("creates what is missing (one bulk create, secrets sent), patches only the changed fields, skips the rest; -o json report", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    expect(await s.run((d) => runApply({ file: tempFile("c.yaml", YAML) }, d))).toBe(0);
    expect(report(s.io.stdout())).toEqual({
      created: ["fresh"],
      updated: ["chg"],
      deleted: [],
      skipped: ["same"],
      failed: [],
    });
    expect(s.io.stderr()).toBe("created 1, updated 1, deleted 0, skipped 1, failed 0\n");
    expect(sent(af)).toEqual(["PATCH /api/v2/connections", "PATCH /api/v2/connections/chg?update_mask=host"]);
    expect(af.writes()[0]!.json).toEqual({
      actions: [
        {
          action: "create",
          action_on_existence: "fail",
          entities: [
            {
              connection_id: "fresh",
              conn_type: "http",
              host: "f",
              password: "secret1",
              extra: '{"api_key": "k", "region": "eu"}',
            },
          ],
        },
      ],
    });
    expect(af.writes()[1]!.json).toEqual({ connection_id: "chg", conn_type: "postgres", host: "new" });
    expect(af.stored("chg")).toMatchObject({ host: "new", password: "pw" }); // a secret of an existing id is not sent
    expect(af.stored("extra_one")).toBeDefined(); // not pruned without --prune
    // a second apply has nothing to do
    const again = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    const before = af.writes().length;
    expect(await again.run((d) => runApply({ file: tempFile("c.yaml", YAML) }, d))).toBe(0);
    expect(report(again.io.stdout())).toMatchObject({ created: [], updated: [], skipped: ["same", "chg", "fresh"] });
    expect(af.writes().length).toBe(before);
  });

  it("--update-secrets sends the password of an existing id; --dry-run is the diff and writes nothing", async () => {
    const af = await fakeAirflow(SERVER);
    const dry = setup({ airflow: af, env: ENV });
    expect(await dry.run((d) => runApply({ file: tempFile("c.yaml", YAML), dryRun: true, prune: true }, d))).toBe(0);
    expect(dry.io.stdout()).toContain('chg\tupdate\thost\t"old" → "new"\n');
    expect(dry.io.stdout()).toContain("extra_one\tdelete\t\t\n");
    expect(dry.io.stderr()).toMatch(/^1 to create, 1 to update, 1 unchanged, 1 only on the server \(to delete\)\n/);
    expect(af.writes()).toEqual([]);
    const s = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    expect(await s.run((d) => runApply({ file: tempFile("c.yaml", YAML), updateSecrets: true }, d))).toBe(0);
    const patch = af.writes().find((q) => q.path === "/api/v2/connections/chg")!;
    expect(patch.query.getAll("update_mask").sort()).toEqual(["host", "password"]);
    expect(af.stored("chg")).toMatchObject({ host: "new", password: "pw2" });
  });

  it("a failed update is reported (exit 1) and the others still run", async () => {
    const af = await fakeAirflow(SERVER, {
      faults: { plain500: true, methods: ["PATCH"], pathPattern: "/connections/chg$" },
    });
    const s = setup({ airflow: af, env: ENV, globals: { output: "json" } });
    expect(await s.run((d) => runApply({ file: tempFile("c.yaml", YAML) }, d))).toBe(1);
    expect(report(s.io.stdout())).toEqual({
      created: ["fresh"],
      updated: [],
      deleted: [],
      skipped: ["same"],
      failed: [
        { connection_id: "chg", action: "update", error: "server error 500: Internal Server Error", status_code: 500 },
      ],
    });
    expect(s.io.stderr()).toMatch(/airconn: 1 of 3 failed: chg\n$/);
  });
});

describe("apply --prune", () => {
  it("without --yes and without a terminal: exit 2 with the diff command that shows them, nothing sent", async () => {
    const af = await fakeAirflow(SERVER);
    const f = tempFile("same.yaml", IN_SYNC);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runApply({ file: f, prune: true, pattern: "%e%" }, d))).toBe(2);
    expect(s.io.stderr()).toBe(
      `airconn: --prune would delete 1 connection: pass --yes to confirm without a terminal\nhint: see them first with: airconn diff ${f} --pattern %e% --prune\n`,
    );
    expect(af.writes()).toEqual([]);
  });

  it("--yes deletes what is in scope and not in the file, in one bulk delete", async () => {
    const af = await fakeAirflow(SERVER);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runApply({ file: tempFile("same.yaml", IN_SYNC), prune: true, yes: true }, d))).toBe(0);
    expect(report(s.io.stdout())).toEqual({
      created: [],
      updated: [],
      deleted: ["chg", "extra_one"],
      skipped: ["same"],
      failed: [],
    });
    expect(af.writes().map((q) => q.json)).toEqual([
      { actions: [{ action: "delete", action_on_non_existence: "skip", entities: ["chg", "extra_one"] }] },
    ]);
    expect(af.all().map((c) => c.connection_id)).toEqual(["same"]);
  });

  it("on a terminal: lists them and asks; no is exit 130 with nothing changed, yes deletes", async () => {
    const af = await fakeAirflow(SERVER);
    const f = tempFile("same.yaml", IN_SYNC);
    const no = fakePrompter([false]);
    const s = setup({ airflow: af, tty: true, prompter: no.prompter });
    expect(await s.run((d) => runApply({ file: f, prune: true }, d))).toBe(130);
    expect(no.asked).toEqual([{ kind: "confirm", message: "Delete 2 connections?" }]);
    expect(s.io.stderr()).toMatch(/^--prune will delete: chg, extra_one\n/);
    expect(af.writes()).toEqual([]);
    const yes = fakePrompter([true]);
    const t = setup({ airflow: af, tty: true, prompter: yes.prompter, globals: { output: "json" } });
    expect(await t.run((d) => runApply({ file: f, prune: true }, d))).toBe(0);
    expect(af.all().map((c) => c.connection_id)).toEqual(["same"]);
  });
});

describe("apply --from-profile", () => {
  it("copies the source's connections to the target; secrets cannot be copied: left out, named in a warning", async () => {
    const prod = await fakeAirflow([
      { connection_id: "same", conn_type: "http", host: "h" },
      { connection_id: "chg", conn_type: "postgres", host: "new", port: 5432, password: "prod-pw" },
      { connection_id: "only_prod", conn_type: "http", host: "p", password: "p-secret" },
    ]);
    const staging = await fakeAirflow(SERVER);
    const cfg = configFolder({ profiles: { prod: { api_url: prod.url, token: prod.adminToken } } });
    const s = setup({ airflow: staging, env: { AIRCONN_CONFIG_DIR: cfg }, globals: { output: "json" } });
    expect(await s.run((d) => runApply({ fromProfile: "prod" }, d))).toBe(0);
    expect(report(s.io.stdout())).toEqual({
      created: ["only_prod"],
      updated: ["chg"],
      deleted: [],
      skipped: ["same"],
      failed: [],
    });
    expect(staging.stored("only_prod")).toMatchObject({ host: "p", password: null });
    expect(staging.stored("chg")).toMatchObject({ host: "new", password: "pw" });
    expect(s.io.stderr()).toMatch(
      /^airconn: warning: the API never returns secrets, so these were not copied from profile prod; .*: only_prod\.password\n/m,
    );
    expect(JSON.stringify(staging.writes().map((q) => q.json))).not.toContain("***");
    expect(prod.writes()).toEqual([]);
  });
});
