import { afterEach, describe, expect, it } from "vitest";
import { runCreate } from "../../../src/commands/create.js";
import { runTest } from "../../../src/commands/test.js";
import {
  airflow32,
  airflow33,
  CANCEL,
  clock,
  closeAirflows,
  enqueues,
  fakeAirflow,
  fakePrompter,
  interrupted,
  literal,
  REFUSED,
  setup,
  UNREACHABLE_HOST,
  type Answer,
} from "../commands-support.js";

afterEach(closeAirflows);

describe("create from field flags (no terminal)", () => {
  it("POSTs exactly the given fields, the password from stdin minus one newline, and prints the connection", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, stdin: "s3cret\n" });
    const code = await s.run((d) =>
      runCreate(
        {
          id: "my_pg",
          type: "postgres",
          host: "db",
          port: 5432,
          login: "app",
          schema: "sales",
          passwordStdin: true,
          extra: '{"sslmode":"require"}',
          description: "main db",
          team: "data",
        },
        d,
      ),
    );
    expect(code).toBe(0);
    expect(af.writes()).toHaveLength(1); // after the catalog GETs (the extras check)
    expect(af.writes()[0]).toMatchObject({ method: "POST", path: "/api/v2/connections" });
    expect(af.writes()[0]!.json).toEqual({
      connection_id: "my_pg",
      conn_type: "postgres",
      description: "main db",
      host: "db",
      login: "app",
      schema: "sales",
      port: 5432,
      password: "s3cret",
      extra: '{"sslmode":"require"}',
      team_name: "data",
    });
    expect(s.io.stdout()).toContain("connection_id\tmy_pg\n");
    expect(s.io.stdout()).toContain("password\t***\n");
    expect(s.io.stdout()).not.toContain("s3cret");
    expect(s.io.stderr()).toBe("");
    expect(af.stored("my_pg")).toMatchObject({ password: "s3cret", extra: '{"sslmode":"require"}', team_name: "data" });
  });

  it("sends only connection_id and conn_type when only --type is given", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "x", type: "http" }, d))).toBe(0);
    expect(af.writes()[0]!.json).toEqual({ connection_id: "x", conn_type: "http" });
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "x", conn_type: "http", host: null });
  });

  it("without a type and without a terminal: exit 2 naming --type, no request", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runCreate({ id: "x", host: "h" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/--type/);
    expect(af.requests).toHaveLength(0);
  });

  it("--password with --password-stdin, a bad --extra, an empty type, a bad id: exit 2 and nothing sent", async () => {
    const af = await fakeAirflow();
    for (const o of [
      { id: "x", type: "http", password: "p", passwordStdin: true },
      { id: "x", type: "http", extra: "[1, 2]" },
      { id: "x", type: "http", extra: "{not json" },
      { id: "x", type: "http", extra: '"text"' },
      { id: "x", type: " " },
      { id: "bad id!", type: "http" },
      { id: "x", type: "http", password: "***" },
      { id: "x", type: "http", port: 70000 },
    ]) {
      const s = setup({ airflow: af, stdin: "pw" });
      expect(await s.run((d) => runCreate(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(/^airconn: /);
    }
    expect(af.requests).toHaveLength(0);
  });

  it("--password works but warns in a script", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runCreate({ id: "x", type: "http", password: "hunter22" }, d))).toBe(0);
    expect(af.writes()[0]!.json).toMatchObject({ password: "hunter22" });
    expect(s.io.stderr()).toMatch(/warning: --password .* --password-stdin/);
  });
});

describe("create --uri and --json", () => {
  it("--uri: fields from the URI (type normalised, query → extra), password from stdin, --description added", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, stdin: "pa/ss\n" });
    const code = await s.run((d) =>
      runCreate(
        {
          id: "pg",
          uri: "postgresql://app@db.internal:5432/sales?sslmode=require&connect_timeout=10",
          passwordStdin: true,
          description: "d",
        },
        d,
      ),
    );
    expect(code).toBe(0);
    expect(af.writes()[0]!.json).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      host: "db.internal",
      login: "app",
      password: "pa/ss",
      port: 5432,
      schema: "sales",
      extra: '{"sslmode": "require", "connect_timeout": 10}',
      description: "d",
    });
  });

  it("--uri with field flags, --uri with --json, a password twice, *** from an export: exit 2", async () => {
    const af = await fakeAirflow();
    const cases: Array<[Parameters<typeof runCreate>[0], RegExp]> = [
      [{ id: "a", uri: "http://h", host: "x" }, /--host cannot be combined with --uri/],
      [{ id: "a", uri: "http://h", type: "http" }, /--type cannot be combined with --uri/],
      [{ id: "a", uri: "http://h", json: "{}" }, /--uri and --json cannot be used together/],
      [{ id: "a", uri: "http://u:pw@h", passwordStdin: true }, /password is given twice/],
      [{ id: "a", uri: "postgres://u:%2A%2A%2A@h" }, /\*\*\*/],
      [{ id: "a", uri: "no-scheme-here" }, /invalid/i],
    ];
    for (const [o, msg] of cases) {
      const s = setup({ airflow: af, stdin: "pw" });
      expect(await s.run((d) => runCreate(o, d)), JSON.stringify(o)).toBe(2);
      expect(s.io.stderr()).toMatch(msg);
    }
    expect(af.requests).toHaveLength(0);
  });

  it("--json: extra object kept as Python writes it, port as a numeric string, conn_type normalised", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    const json =
      '{"conn_type": "google-cloud-platform", "host": "h", "port": "8080", "extra": {"project": "p", "ratio": 1.0, "n": 12345678901234567890}, "description": ""}';
    expect(await s.run((d) => runCreate({ id: "gcp", json, team: "t" }, d))).toBe(0);
    expect(af.writes()[0]!.json).toEqual({
      connection_id: "gcp",
      conn_type: "google_cloud_platform",
      host: "h",
      port: 8080,
      extra: '{"project": "p", "ratio": 1.0, "n": 12345678901234567890}',
      team_name: "t",
    });
  });

  it("--json: extra as a JSON string, postgresql; bad shapes are exit 2", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(
      await s.run((d) =>
        runCreate({ id: "p", json: '{"conn_type": "postgresql", "extra": "{\\"a\\": 1}", "port": 5432}' }, d),
      ),
    ).toBe(0);
    expect(af.writes()[0]!.json).toEqual({ connection_id: "p", conn_type: "postgres", port: 5432, extra: '{"a": 1}' });
    for (const [json, msg] of [
      ["[1]", /expected a JSON object/],
      ['{"host": "h"}', /conn_type is missing/],
      ['{"conn_type": "http", "port": "80a"}', /integer value for port/],
      ['{"conn_type": "http", "extra": "[1]"}', /extra/],
      ['{"conn_type": "http", "conn_id": "other"}', /but the id given is "p2"/],
      ['{"conn_type": "http", "bogus": 1}', /unknown key bogus/],
      ['{"conn_type": "http", "description": "a"}', null],
    ] as Array<[string, RegExp | null]>) {
      const t = setup({ airflow: af });
      const code = await t.run((d) => runCreate({ id: "p2", json, ...(msg ? {} : { description: "b" }) }, d));
      expect(code, json).toBe(2);
      if (msg) expect(t.io.stderr()).toMatch(msg);
      else expect(t.io.stderr()).toMatch(/description is given twice/);
    }
    expect(af.writes()).toHaveLength(1);
  });
});

describe("create when the id exists", () => {
  it("409 → exit 5 with a hint; --if-not-exists → exit 0, a notice on stderr, nothing on stdout", async () => {
    const af = await fakeAirflow([{ connection_id: "x", conn_type: "http" }]);
    const s = setup({ airflow: af });
    expect(await s.run((d) => runCreate({ id: "x", type: "http" }, d))).toBe(5);
    expect(s.io.stderr()).toMatch(/airconn: connection x already exists\nhint: .*--if-not-exists/);
    const t = setup({ airflow: af });
    expect(await t.run((d) => runCreate({ id: "x", type: "http", ifNotExists: true }, d))).toBe(0);
    expect(t.io.stdout()).toBe("");
    expect(t.io.stderr()).toMatch(/already exists; nothing changed/);
  });
});

describe("create on a terminal with no type: the interactive flow", () => {
  it("asks each field in order, re-asks a bad port and bad extra, shows *** in the summary, creates after yes", async () => {
    const af = await fakeAirflow();
    const fp = fakePrompter([
      "my_custom", // Connection type: typed in (not in the catalog)
      "db.example.com", // Host
      "80x",
      "99999",
      "5433", // Port: two bad answers, then a good one
      "app", // Login
      "pa55word", // Password
      "", // Schema (left out)
      "{bad",
      "[1]",
      '{"token": "***"}',
      '{"sslmode": "require"}', // Extra (JSON)
      "first db", // Description
      true, // confirm
    ]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runCreate({ id: "new_conn" }, d))).toBe(0);
    expect(fp.left()).toBe(0);
    const labels = [...new Set(fp.asked.map((a) => a.message))];
    expect(labels).toEqual([
      "Connection type (type to search)",
      "Host",
      "Port",
      "Login",
      "Password",
      "Schema",
      "Extra (JSON)",
      "Description",
      "Create connection new_conn?",
    ]);
    expect(fp.asked[0]!.choices!.some((c) => c.startsWith("postgres"))).toBe(true);
    expect(fp.rejected).toHaveLength(5);
    expect(fp.rejected.filter((r) => /port/.test(r))).toHaveLength(2);
    expect(fp.rejected.filter((r) => /Extra must be a JSON object/.test(r))).toHaveLength(2);
    expect(af.writes()[0]!.json).toEqual({
      connection_id: "new_conn",
      conn_type: "my_custom",
      host: "db.example.com",
      port: 5433,
      login: "app",
      password: "pa55word",
      extra: '{"sslmode": "require"}',
      description: "first db",
    });
    expect(s.io.stderr()).toMatch(/About to create:[\s\S]*password\s+\*\*\*/);
    expect(s.io.stderr()).not.toContain("pa55word");
    expect(s.io.stdout().replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/^connection_id\s+new_conn$/m);
  });

  it("flags already given are not asked again", async () => {
    const af = await fakeAirflow();
    const fp = fakePrompter(["postgres", "5432", "", "", "", true]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runCreate({ id: "pg", host: "h", login: "l", description: "d" }, d))).toBe(0);
    expect(fp.asked.map((a) => a.message)).toEqual([
      "Connection type (type to search)",
      "Port",
      "Password",
      "Schema",
      "Extra (JSON)",
      "Create connection pg?",
    ]);
    expect(af.writes()[0]!.json).toEqual({
      connection_id: "pg",
      conn_type: "postgres",
      host: "h",
      port: 5432,
      login: "l",
      description: "d",
    });
  });

  it("answering no exits 130 and creates nothing; Ctrl-C at a prompt too", async () => {
    for (const script of [
      ["http", "", "", "", "", "", "", "", false],
      ["http", "h", CANCEL],
    ] as Answer[][]) {
      const af = await fakeAirflow();
      const s = setup({ airflow: af, tty: true, prompter: fakePrompter(script).prompter });
      expect(await s.run((d) => runCreate({ id: "c" }, d))).toBe(130);
      expect(af.writes()).toHaveLength(0);
    }
  });

  it("with --type and another field flag on a terminal there are no prompts; with --no-input there is no flow", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, tty: true, prompter: fakePrompter([]).prompter });
    expect(await s.run((d) => runCreate({ id: "c", type: "http", host: "h" }, d))).toBe(0);
    const t = setup({ airflow: af, tty: true, globals: { input: false } });
    expect(await t.run((d) => runCreate({ id: "d" }, d))).toBe(2);
    expect(af.requests).toHaveLength(1);
  });
});

// A stored connection for --test-first on 3.2: an existing id is refused before any test.
const good = {
  connection_id: "pg",
  conn_type: "postgres",
  host: "db",
  port: 5432,
  login: "app",
  password: "real",
  extra: '{"token": "t0k3n", "region": "eu"}',
};

describe("create --test-first", () => {
  it("3.3: enqueue-test with commit_on_success; stored only when it passes (read back after); a failure creates nothing", async () => {
    const af = await airflow33();
    const s = setup({ airflow: af, ...clock(af), stdin: "pw", globals: { output: "json" } });
    expect(
      await s.run((d) =>
        runCreate({ id: "newpg", type: "postgres", host: "db", passwordStdin: true, testFirst: true }, d),
      ),
    ).toBe(0);
    expect(enqueues(af)[0]!.json).toEqual({
      connection_id: "newpg",
      conn_type: "postgres",
      host: "db",
      password: "pw",
      commit_on_success: true,
    });
    expect(af.requests.some((q) => q.method === "POST" && q.path === "/api/v2/connections")).toBe(false);
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "newpg", host: "db", password: "***" });
    expect(af.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/v2/connections/newpg" });
    expect(af.stored("newpg")).toMatchObject({ host: "db", password: "pw" });

    const t = setup({ airflow: af, ...clock(af) });
    expect(
      await t.run((d) => runCreate({ id: "badpg", type: "postgres", host: UNREACHABLE_HOST, testFirst: true }, d)),
    ).toBe(1);
    expect(t.io.stderr()).toMatch(
      new RegExp(`^airconn: the test failed, nothing was created: ${literal(REFUSED)}$`, "m"),
    );
    expect(af.stored("badpg")).toBeUndefined();
  });

  it("3.2: POST /connections/test, then POST /connections; a failure creates nothing; an existing id is refused before any test", async () => {
    const af = await airflow32([good]);
    const s = setup({ airflow: af, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true }, d))).toBe(0);
    expect(af.writes().map((q) => `${q.method} ${q.path}`)).toEqual([
      "POST /api/v2/connections/test",
      "POST /api/v2/connections",
    ]);
    expect(af.stored("new")).toMatchObject({ conn_type: "http", host: "api" });
    const before = af.writes().length;
    const t = setup({ airflow: af });
    expect(
      await t.run((d) => runCreate({ id: "nope", type: "http", host: UNREACHABLE_HOST, testFirst: true }, d)),
    ).toBe(1);
    expect(af.stored("nope")).toBeUndefined();
    expect(
      af
        .writes()
        .slice(before)
        .map((q) => q.path),
    ).toEqual(["/api/v2/connections/test"]);
    const u = setup({ airflow: af });
    expect(await u.run((d) => runCreate({ id: "pg", type: "http", testFirst: true }, d))).toBe(5);
    expect(af.writes().slice(before + 1)).toEqual([]);
  });
});

describe("create --test-first --executor/--queue/--wait (the flags of test --on-worker)", () => {
  it("3.3: the executor and queue go in the enqueue body with commit_on_success, and the test runs there", async () => {
    const af = await airflow33([], { executors: ["LocalExecutor", "CeleryExecutor"] });
    const s = setup({ airflow: af, ...clock(af), globals: { output: "json" } });
    expect(
      await s.run((d) =>
        runCreate(
          {
            id: "newapi",
            type: "http",
            host: "api",
            testFirst: true,
            executor: "CeleryExecutor",
            queue: "etl",
            wait: 30,
          },
          d,
        ),
      ),
    ).toBe(0);
    expect(enqueues(af).map((q) => q.json)).toEqual([
      {
        connection_id: "newapi",
        conn_type: "http",
        host: "api",
        commit_on_success: true,
        executor: "CeleryExecutor",
        queue: "etl",
      },
    ]);
    expect(af.connectionTests()).toMatchObject([
      { connection_id: "newapi", executor: "CeleryExecutor", queue: "etl", commit_on_success: true, state: "success" },
    ]);
    expect(af.stored("newapi")).toMatchObject({ conn_type: "http", host: "api" });
    expect(JSON.parse(s.io.stdout())).toMatchObject({ connection_id: "newapi", host: "api" });
  });

  it("3.3: an executor the server does not know: the server's message, exit 2, no poll, nothing stored", async () => {
    const af = await airflow33();
    const s = setup({ airflow: af, ...clock(af) });
    expect(
      await s.run((d) => runCreate({ id: "newapi", type: "http", host: "api", testFirst: true, executor: "Nope" }, d)),
    ).toBe(2);
    expect(s.io.stdout()).toBe("");
    expect(s.io.stderr()).toMatch(
      /^airconn: Executor 'Nope' is not configured\. Configured executors: \['LocalExecutor'\]\nhint: pick one of the configured executors with --executor/,
    );
    expect(enqueues(af).map((q) => q.status)).toEqual([422]);
    expect(af.requests.filter((q) => q.method === "GET" && q.path.endsWith("/enqueue-test"))).toEqual([]);
    expect(af.stored("newapi")).toBeUndefined();
  });

  it("3.3: --wait runs out: exit 1, the token, and that the server still creates it if the test passes; --poll then sees it pass and it is stored", async () => {
    // a test that takes 30 s: still pending after 5 s
    const af = await airflow33([], { connectionTestMs: 30_000 });
    const c = clock(af);
    const s = setup({ airflow: af, ...c, globals: { output: "json" } });
    expect(await s.run((d) => runCreate({ id: "slow", type: "http", host: "api", testFirst: true, wait: 5 }, d))).toBe(
      1,
    );
    expect(s.io.stdout()).toBe("");
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toBe(
      `airconn: no result after 5 s (state: pending): slow is not created yet, but its test goes on on the server, which creates slow if the test passes (commit_on_success); its token is ${token}\n` +
        `hint: see its result later with: airconn test --poll ${token}, then \`airconn get slow\`\n`,
    );
    expect(c.slept).toEqual([500, 750, 1125, 1688, 937]); // the same backoff and deadline as test --on-worker --wait 5
    expect(af.stored("slow")).toBeUndefined();
    // the default wait is 90 s (a server whose scheduler gives a test longer than that)
    const d90 = await airflow33([], { connectionTestMs: 300_000, connectionTestTimeoutMs: 600_000 });
    const c90 = clock(d90);
    const t = setup({ airflow: d90, ...c90 });
    expect(await t.run((d) => runCreate({ id: "slower", type: "http", testFirst: true }, d))).toBe(1);
    expect(t.io.stderr()).toMatch(
      /^airconn: no result after 90 s \(state: (pending|queued)\): slower is not created yet/,
    );
    expect(c90.slept.reduce((a, b) => a + b, 0)).toBe(90_000);
    // the test passes later: --poll says so, and the server stored the connection
    const p = setup({ airflow: af, ...clock(af) });
    expect(await p.run((d) => runTest({ poll: token }, d))).toBe(0);
    expect(p.io.stdout()).toBe("ok: Connection successfully tested\n");
    expect(af.stored("slow")).toMatchObject({ conn_type: "http", host: "api" });
    expect(af.requests.filter((q) => q.method === "POST").map((q) => q.path)).toEqual([
      "/api/v2/connections/enqueue-test",
    ]);
  });

  it("3.3: Ctrl-C while waiting: exit 130, the token, and that the server creates it if the test passes", async () => {
    const af = await airflow33([], { manualClock: false });
    const s = interrupted(af);
    expect(
      await s.run((d) =>
        runCreate({ id: "hung", type: "http", host: "hang.invalid", testFirst: true, queue: "etl" }, d),
      ),
    ).toBe(130);
    const token = af.connectionTests()[0]!.token;
    expect(s.io.stderr()).toMatch(
      new RegExp(
        `interrupted; the test of hung goes on on the server, which still creates hung if it passes: see its result with \`airconn test --poll ${literal(token)}\``,
      ),
    );
    expect(af.stored("hung")).toBeUndefined();
  });

  it("3.2: --executor, --queue or --wait are refused naming the version: exit 2, only GET /version sent, stdin not read, nothing created", async () => {
    const af = await airflow32();
    for (const [flags, named] of [
      [{ executor: "LocalExecutor" }, "--executor"],
      [{ queue: "etl", wait: 10 }, "--queue, --wait"],
      [{ wait: 10 }, "--wait"],
    ] as const) {
      const from = af.requests.length;
      const s = setup({ airflow: af, stdin: "pw" });
      expect(
        await s.run((d) =>
          runCreate({ id: "new", type: "http", host: "api", passwordStdin: true, testFirst: true, ...flags }, d),
        ),
        named,
      ).toBe(2);
      expect(s.io.stderr()).toBe(
        `airconn: ${named}: tests on a worker need Airflow 3.3 or later, and ${af.url} runs Airflow 3.2.1\n` +
          "hint: leave out --executor, --queue and --wait: before Airflow 3.3, --test-first tests on the API server, then creates\n",
      );
      expect(af.requests.slice(from).map((q) => `${q.method} ${q.path}`)).toEqual(["GET /api/v2/version"]);
    }
    expect(af.stored("new")).toBeUndefined();
    // without them --test-first works there as before
    const ok = setup({ airflow: af });
    expect(await ok.run((d) => runCreate({ id: "new", type: "http", host: "api", testFirst: true }, d))).toBe(0);
    expect(af.stored("new")).toMatchObject({ host: "api" });
  });

  it("version unknown with --executor: goes to the worker, and a server without enqueue-test (405) refuses; nothing created", async () => {
    const af = await airflow32([], { faults: { status: 404, pathPattern: "^/api/v2/version$" } });
    const s = setup({ airflow: af, ...clock() });
    expect(
      await s.run((d) =>
        runCreate({ id: "new", type: "http", host: "api", testFirst: true, executor: "LocalExecutor" }, d),
      ),
    ).toBe(2);
    expect(s.io.stderr()).toMatch(
      /^airconn: the server has no \/connections\/enqueue-test \(405\).*\nhint: leave out --executor, --queue and --wait/,
    );
    expect(enqueues(af).map((q) => q.status)).toEqual([405]);
    expect(af.requests.some((q) => q.path.endsWith("/connections/test"))).toBe(false);
    expect(af.stored("new")).toBeUndefined();
  });

  it("without --test-first they are a usage error with a hint to add it: exit 2, no request, stdin not read", async () => {
    const af = await airflow33();
    for (const [flags, msg] of [
      [{ executor: "LocalExecutor" }, "--executor needs --test-first"],
      [{ queue: "etl" }, "--queue needs --test-first"],
      [{ wait: 10 }, "--wait needs --test-first"],
      [{ executor: "E", queue: "q", wait: 1 }, "--executor, --queue, --wait need --test-first"],
    ] as const) {
      const s = setup({ airflow: af, stdin: "pw" });
      expect(await s.run((d) => runCreate({ id: "new", type: "http", passwordStdin: true, ...flags }, d)), msg).toBe(2);
      expect(s.io.stderr()).toMatch(new RegExp(`^airconn: ${literal(msg)}\nhint: add --test-first: `));
    }
    expect(af.requests).toEqual([]);
  });
});
