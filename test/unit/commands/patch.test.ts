import { afterEach, describe, expect, it } from "vitest";
import { mergeExtra, parseSetExtra, runPatch } from "../../../src/commands/patch.js";
import { closeAirflows, fakeAirflow, setup } from "../commands-support.js";

afterEach(closeAirflows);

const seed = () =>
  fakeAirflow([
    {
      connection_id: "pg",
      conn_type: "postgres",
      host: "db1",
      port: 5432,
      login: "app",
      password: "stored-secret",
      description: "main",
      extra: '{"sslmode": "require", "api_token": "tok-123", "ratio": 1.0, "old": true}',
    },
  ]);

describe("patch: only the fields given, named in update_mask", () => {
  it("--host: GETs the type, PATCHes {connection_id, conn_type, host} with update_mask=host", async () => {
    const af = await seed();
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runPatch({ id: "pg", host: "db2" }, d))).toBe(0);
    expect(af.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v2/connections/pg",
      "PATCH /api/v2/connections/pg",
    ]);
    const p = af.requests[1]!;
    expect(p.query.getAll("update_mask")).toEqual(["host"]);
    expect(p.json).toEqual({ connection_id: "pg", conn_type: "postgres", host: "db2" });
    expect(JSON.parse(s.io.stdout())).toMatchObject({ host: "db2", port: 5432, password: "***" });
    expect(af.stored("pg")!.password).toBe("stored-secret");
  });

  it("--type and --port: no GET; both in the mask as repeated keys", async () => {
    const af = await seed();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runPatch({ id: "pg", type: "postgres", port: 5433 }, d))).toBe(0);
    expect(af.requests).toHaveLength(1);
    expect(af.requests[0]!.query.getAll("update_mask")).toEqual(["conn_type", "port"]);
    expect(af.requests[0]!.json).toEqual({ connection_id: "pg", conn_type: "postgres", port: 5433 });
  });

  it("--unset sends null for each field, with the field in the mask; a new password from stdin", async () => {
    const af = await seed();
    const s = setup({ airflow: af, stdin: "n3w\n" });
    expect(
      await s.run((d) => runPatch({ id: "pg", unset: ["description", "port", "team"], passwordStdin: true }, d)),
    ).toBe(0);
    const p = af.requests[1]!;
    expect(p.query.getAll("update_mask")).toEqual(["description", "port", "password", "team_name"]);
    expect(p.json).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      password: "n3w",
      description: null,
      port: null,
      team_name: null,
    });
    expect(af.stored("pg")).toMatchObject({ description: null, port: null, password: "n3w", host: "db1" });
  });

  it("refuses --unset password and --unset conn_type with the reason, nothing to change, contradictions: exit 2, no request", async () => {
    const af = await seed();
    const cases: Array<[Parameters<typeof runPatch>[0], RegExp]> = [
      [{ id: "pg", unset: ["password"] }, /cannot clear a password/],
      [{ id: "pg", unset: ["conn_type"] }, /always has a type/],
      [{ id: "pg", unset: ["bogus"] }, /unknown field/],
      [{ id: "pg" }, /nothing to change/],
      [{ id: "pg", extra: "{}", setExtra: ["a=1"] }, /--extra replaces extra as a whole/],
      [{ id: "pg", extra: "{}", unsetExtra: ["a"] }, /cannot be combined with --unset-extra/],
      [{ id: "pg", unset: ["extra"], setExtra: ["a=1"] }, /--unset extra cannot be combined/],
      [{ id: "pg", host: "h", unset: ["host"] }, /both given a value and unset/],
      [{ id: "pg", setExtra: ["a=1"], unsetExtra: ["a"] }, /both set/],
      [{ id: "pg", setExtra: ["novalue"] }, /KEY=VALUE/],
      [{ id: "pg", setExtra: ["api_token=***"] }, /\*\*\*/],
      [{ id: "pg", password: "***" }, /\*\*\*/],
      [{ id: "pg", extra: '{"note": "***"}' }, /would store "\*\*\*" literally/],
      [{ id: "pg", port: -1 }, /--port/],
    ];
    for (const [o, msg] of cases) {
      const s = setup({ airflow: af });
      expect(await s.run((d) => runPatch(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(msg);
    }
    expect(af.requests).toHaveLength(0);
  });

  it("a missing connection: exit 3", async () => {
    const af = await seed();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runPatch({ id: "nope", host: "h" }, d))).toBe(3);
    expect(s.io.stderr()).toMatch(/not found/);
    expect(af.writes()).toHaveLength(0);
  });
});

describe("patch --set-extra / --unset-extra", () => {
  it("merges onto the current extra: *** stays ***, order and 1.0 kept, JSON values typed, mask = extra", async () => {
    // the server shows api_token as "***"; sent back as "***", it keeps the stored token
    const af = await fakeAirflow([
      {
        connection_id: "pg",
        conn_type: "postgres",
        extra: '{"sslmode": "require", "api_token": "tok-123", "ratio": 1.0, "old": true}',
      },
    ]);
    const s = setup({ airflow: af });
    expect(
      await s.run((d) =>
        runPatch(
          {
            id: "pg",
            setExtra: ["sslmode=disable", "timeout=30", 'flags={"a": [1, 2]}', "name=plain text"],
            unsetExtra: ["old"],
          },
          d,
        ),
      ),
    ).toBe(0);
    // the GET of the connection, the catalog's (the extras check), then the PATCH
    const [p, ...more] = af.writes();
    expect(more).toEqual([]);
    expect(p!.query.getAll("update_mask")).toEqual(["extra"]);
    expect(p!.json).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      extra:
        '{"sslmode": "disable", "api_token": "***", "ratio": 1.0, "timeout": 30, "flags": {"a": [1, 2]}, "name": "plain text"}',
    });
    expect(af.stored("pg")!.extra).toBe(
      '{"sslmode": "disable", "api_token": "tok-123", "ratio": 1.0, "timeout": 30, "flags": {"a": [1, 2]}, "name": "plain text"}',
    );
  });

  it("--unset-extra of a missing key warns; an empty stored extra starts from {}", async () => {
    expect(mergeExtra(null, [["a", "x"]], [], () => {})).toBe('{"a": "x"}');
    const warnings: string[] = [];
    expect(mergeExtra('{"a": 1}', [], ["zz"], (m) => warnings.push(m))).toBe('{"a": 1}');
    expect(warnings).toEqual(["extra has no key zz: nothing to remove"]);
  });

  it("refuses when the stored extra is not an object, or has *** under a key the server would not restore", () => {
    expect(() => mergeExtra("not json", [["a", 1 as never]], [], () => {})).toThrow(/not JSON/);
    expect(() => mergeExtra("[1]", [], ["a"], () => {})).toThrow(/not a JSON object/);
    expect(() => mergeExtra('{"note": "***"}', [["a", "b"]], [], () => {})).toThrow(/extra.note .*literally/);
    expect(mergeExtra('{"secret": ["***", "***"], "password": "***"}', [["a", "b"]], [], () => {})).toBe(
      '{"secret": ["***", "***"], "password": "***", "a": "b"}',
    );
    // removing or replacing the unsafe key makes it safe
    expect(mergeExtra('{"note": "***"}', [["note", "real"]], [], () => {})).toBe('{"note": "real"}');
  });

  it("parses values as JSON when they parse", () => {
    expect(parseSetExtra("a=1")).toEqual(["a", expect.anything()]);
    expect(parseSetExtra("a=")[1]).toBe("");
    expect(parseSetExtra("a=b=c")).toEqual(["a", "b=c"]);
    expect(parseSetExtra('a="quoted"')).toEqual(["a", "quoted"]);
    expect(parseSetExtra("a=true")).toEqual(["a", true]);
  });
});
