// Issue 5, end to end: connections as code. The built CLI runs diff and apply with an airconn YAML file of 500
// connections against the local Airflow-compatible server; the tests count the requests the server received and
// read the clear values it stored. Secrets come from ${VAR} and must reach the server and appear in no output.
import { beforeAll, describe, expect, it } from "vitest";
import { registerSecret, runCliTty, plain, type CliResult } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { seed } from "../support/admin.js";
import { report } from "../support/report.js";

const PG_PASS = "pg-Secret-7f3a!";
const API_KEY = "ak-Secret-91c2";
const HIDDEN = "never-Printed-5e1d"; // set, used in a file whose other variable is missing

const outputs: Array<{ args: string[]; text: string }> = [];

beforeAll(() => {
  for (const s of [PG_PASS, API_KEY, HIDDEN]) registerSecret(s);
});
const fake = useFakeAirflow({ seed: 0 }, { prefix: "airconn-apply-", env: () => ({ PG_PASS, API_KEY, HIDDEN }) });
const { file, since, writes: writesSince } = fake;

async function run(args: string[], o: { env?: Record<string, string>; tty?: boolean } = {}): Promise<CliResult> {
  const r = o.tty
    ? await runCliTty(args, { env: { ...fake.env, NO_COLOR: "1", ...o.env } })
    : await fake.run(args, { env: o.env, timeoutMs: 60_000 });
  outputs.push({ args, text: r.stdout + "\n" + r.stderr });
  return r;
}

// ---- the desired-state file ---------------------------------------------------------------------------------------

interface Conn {
  id: string;
  conn_type: string;
  description: string;
  host: string;
  port: number;
  login: string;
  schema: string;
  password?: string;
  extra: Record<string, string | number | boolean>;
}
const N = 500;
const base = (): Conn[] =>
  Array.from({ length: N }, (_, i) => ({
    id: `${i % 2 ? "team_b" : "team_a"}_${String(i).padStart(4, "0")}`,
    conn_type: i % 3 ? "postgres" : "http",
    description: `Connection ${i}`,
    host: `db-${i}.internal`,
    port: 5000 + i,
    login: `user_${i}`,
    schema: `s${i % 7}`,
    ...(i % 50 === 0 ? { password: "${PG_PASS}" } : {}),
    extra: { timeout: 30, region: "eu", ...(i % 100 === 1 ? { api_key: "${API_KEY}" } : {}) },
  }));
const yamlOf = (cs: Conn[]) =>
  "# desired state\nconnections:\n" +
  cs
    .map((c) =>
      [
        `  - connection_id: ${c.id}`,
        `    conn_type: ${c.conn_type}`,
        `    description: "${c.description}"`,
        `    host: ${c.host}`,
        `    port: ${c.port}`,
        `    login: ${c.login}`,
        `    schema: ${c.schema}`,
        ...(c.password ? [`    password: ${c.password}`] : []),
        "    extra:",
        ...Object.entries(c.extra).map(([k, v]) => `      ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`),
      ].join("\n"),
    )
    .join("\n") +
  "\n";

/** 10 field changes across 7 connections; the masks list the fields in the order apply compares them. */
const CHANGES: Array<{ index: number; change: (c: Conn) => void; mask: string[] }> = [
  {
    index: 0,
    change: (c) => {
      c.host = "moved-0.internal";
      c.port = 6543;
    },
    mask: ["host", "port"],
  },
  {
    index: 2,
    change: (c) => {
      c.login = "renamed_2";
    },
    mask: ["login"],
  },
  {
    index: 5,
    change: (c) => {
      c.description = "Changed 5";
      c.schema = "other";
    },
    mask: ["description", "schema"],
  },
  {
    index: 101,
    change: (c) => {
      c.extra.timeout = 99;
    },
    mask: ["extra"],
  }, // has api_key: its secret must survive
  {
    index: 7,
    change: (c) => {
      c.conn_type = "mysql";
    },
    mask: ["conn_type"],
  },
  {
    index: 9,
    change: (c) => {
      c.host = "moved-9.internal";
    },
    mask: ["host"],
  },
  {
    index: 150,
    change: (c) => {
      c.port = 1;
      c.login = "renamed_150";
    },
    mask: ["login", "port"],
  }, // has the password
];
const changed = (): Conn[] => {
  const cs = base();
  for (const ch of CHANGES) ch.change(cs[ch.index]!);
  return cs;
};

let v1: string, v2: string;
beforeAll(() => {
  v1 = file("connections.yaml", yamlOf(base()));
  v2 = file("connections-v2.yaml", yamlOf(changed()));
});

describe("diff before the first apply", () => {
  it("-o json lists each new connection with its values; secrets only as notes", async () => {
    const from = fake.server.requests.length;
    const r = await run(["diff", v1, "-o", "json", "--exit-code"]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout) as {
      create: Array<{ connection_id: string; fields: Record<string, unknown> }>;
      unchanged: string[];
    };
    expect(d.create).toHaveLength(N);
    expect(d.unchanged).toEqual([]);
    expect(d.create.find((c) => c.connection_id === "team_a_0000")!.fields).toEqual({
      conn_type: "http",
      description: "Connection 0",
      host: "db-0.internal",
      port: 5000,
      login: "user_0",
      schema: "s0",
      password: "(set on create)",
      "extra.timeout": 30,
      "extra.region": "eu",
    });
    expect(d.create.find((c) => c.connection_id === "team_b_0101")!.fields["extra.api_key"]).toBe("(set on create)");
    expect(writesSince(from)).toEqual([]);
  });
});

// ---- apply, change, apply, apply -------------------------------------------------------------------------------

describe("apply a 500-connection file", () => {
  it("to an empty server: one bulk create of 500, secrets from ${VAR} stored", async () => {
    const from = fake.server.requests.length;
    const t0 = Date.now();
    const r = await run(["apply", v1, "-o", "json"]);
    const ms = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.created).toHaveLength(N);
    expect(rep.updated.length + rep.deleted.length + rep.skipped.length + rep.failed.length).toBe(0);
    expect(r.stderr).toBe(`created ${N}, updated 0, deleted 0, skipped 0, failed 0\n`);
    const w = writesSince(from);
    expect(w.map((q) => `${q.method} ${q.path}`)).toEqual(["PATCH /api/v2/connections"]);
    expect(
      (w[0]!.json as { actions: Array<{ action: string; entities: unknown[] }> }).actions.map((a) => [
        a.action,
        a.entities.length,
      ]),
    ).toEqual([["create", 500]]);
    expect(fake.server.all()).toHaveLength(N);

    expect(fake.server.stored("team_a_0000")).toMatchObject({
      conn_type: "http",
      description: "Connection 0",
      host: "db-0.internal",
      port: 5000,
      login: "user_0",
      schema: "s0",
      password: PG_PASS,
      extra: '{"timeout": 30, "region": "eu"}',
      team_name: null,
    });
    expect(fake.server.stored("team_b_0101")!.extra).toBe(`{"timeout": 30, "region": "eu", "api_key": "${API_KEY}"}`);
    expect(fake.server.stored("team_b_0001")!.password).toBeNull();
    expect(fake.server.all().filter((c) => c.password === PG_PASS)).toHaveLength(10);
    expect(fake.server.all().filter((c) => c.extra?.includes(API_KEY))).toHaveLength(5);
    console.log(`apply of ${N} new connections: ${ms} ms, ${since(from).length} requests`);
  });

  it("diff after changing 10 fields of 7 connections: -o json, --exit-code 1", async () => {
    const from = fake.server.requests.length;
    const r = await run(["diff", v2, "-o", "json", "--exit-code"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const d = JSON.parse(r.stdout) as {
      create: unknown[];
      update: Array<{ connection_id: string; changes: Array<{ field: string; from?: unknown; to?: unknown }> }>;
      unchanged: string[];
      only_on_server: string[];
      not_compared: Array<{ connection_id: string; field: string }>;
    };
    expect(Object.keys(d)).toEqual([
      "create",
      "update",
      "unchanged",
      "only_on_server",
      "not_compared",
      "missing_secrets",
    ]);
    expect(d.create).toEqual([]);
    expect(d.only_on_server).toEqual([]);
    expect(d.unchanged).toHaveLength(N - 7);
    const byId = new Map(d.update.map((u) => [u.connection_id, u.changes]));
    expect(byId.size).toBe(7);
    expect(byId.get("team_a_0000")).toEqual([
      { field: "host", from: "db-0.internal", to: "moved-0.internal" },
      { field: "port", from: 5000, to: 6543 },
    ]);
    expect(byId.get("team_b_0101")).toEqual([{ field: "extra.timeout", from: 30, to: 99 }]);
    expect(byId.get("team_b_0007")).toEqual([{ field: "conn_type", from: "postgres", to: "mysql" }]);
    expect(
      [...byId.values()]
        .flat()
        .map((c) => c.field)
        .filter((f) => !f.startsWith("extra.")),
    ).toHaveLength(9);
    // the secrets are listed as not compared, never shown
    expect(d.not_compared).toContainEqual({ connection_id: "team_a_0000", field: "password" });
    expect(d.not_compared).toContainEqual({ connection_id: "team_b_0101", field: "extra.api_key" });
    expect(writesSince(from)).toEqual([]);
  });

  it("diff on a terminal: a table with the changed fields old → new, secrets not shown", async () => {
    const r = await run(["diff", v2], { tty: true });
    expect(r.code).toBe(0);
    const out = plain(r.stdout);
    expect(out).toMatch(/ID\s+CHANGE\s+FIELD\s+VALUE/);
    expect(out).toMatch(/team_a_0000\s+update\s+host\s+"db-0\.internal" → "moved-0\.internal"/);
    expect(out).toMatch(/team_a_0000\s+update\s+port\s+5000 → 6543/);
    expect(out).toMatch(/team_a_0150\s+update\s+login\s+"user_150" → "renamed_150"/);
    expect(out).toMatch(/team_b_0101\s+update\s+extra\.timeout\s+30 → 99/);
    expect(out).toMatch(/0 to create, 7 to update, 493 unchanged, 0 only on the server/);
    expect(out).toMatch(/not compared \(secrets are write-only; --update-secrets sends them\): team_a_0000\.password/);
    expect(out.split("\n").filter((l) => /\supdate\s/.test(l))).toHaveLength(10);
  });

  it("apply again: exactly 7 PATCH requests, each with update_mask = the changed fields and a body carrying them", async () => {
    const from = fake.server.requests.length;
    const before = new Map(fake.server.all().map((c) => [c.connection_id, c]));
    const r = await run(["apply", v2, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.updated.sort()).toEqual(CHANGES.map((c) => base()[c.index]!.id).sort());
    expect(rep.skipped).toHaveLength(N - 7);
    expect(rep.created.length + rep.deleted.length + rep.failed.length).toBe(0);

    const w = writesSince(from);
    expect(w).toHaveLength(7);
    const want = changed();
    for (const q of w) {
      expect(q.method).toBe("PATCH");
      const id = decodeURIComponent(q.path.replace(/^\/api\/v2\/connections\//, ""));
      const ch = CHANGES.find((c) => base()[c.index]!.id === id)!;
      expect(ch, q.path).toBeDefined();
      expect(q.query.getAll("update_mask")).toEqual(ch.mask);
      const body = q.json as Record<string, unknown>;
      const c = want[ch.index]!;
      const expected: Record<string, unknown> = { connection_id: id, conn_type: c.conn_type };
      for (const f of ch.mask) {
        expected[f] =
          f === "extra"
            ? `{"timeout": ${c.extra.timeout}, "region": "eu"${c.extra.api_key ? ', "api_key": "***"' : ""}}`
            : (c as unknown as Record<string, unknown>)[f];
      }
      expect(body).toEqual(expected);
      expect(q.status).toBe(200);
    }
    // the server: only those fields changed; the api_key kept its stored value through "***"
    for (const ch of CHANGES) {
      const c = want[ch.index]!;
      const now = fake.server.stored(c.id)!;
      const old = before.get(c.id)!;
      for (const f of ["conn_type", "description", "host", "login", "schema", "port", "password"] as const) {
        expect(now[f], `${c.id}.${f}`).toEqual(
          ch.mask.includes(f) ? (c as unknown as Record<string, unknown>)[f] : old[f],
        );
      }
    }
    expect(fake.server.stored("team_b_0101")!.extra).toBe(`{"timeout": 99, "region": "eu", "api_key": "${API_KEY}"}`);
    expect(fake.server.stored("team_a_0150")!.password).toBe(PG_PASS);
    expect(JSON.stringify(fake.server.all())).not.toContain("***");
  });

  it("a third apply makes no write request; diff --exit-code is 0", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", v2, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).skipped).toHaveLength(N);
    expect(r.stderr).toBe(`created 0, updated 0, deleted 0, skipped ${N}, failed 0\n`);
    const d = await run(["diff", v2, "--exit-code"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toBe("");
    expect(d.stderr).toMatch(/^0 to create, 0 to update, 500 unchanged, 0 only on the server\n/);
    expect(writesSince(from)).toEqual([]);
    expect(since(from).every((q) => q.method === "GET")).toBe(true);
  });

  it("--dry-run is the diff and writes nothing", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", v1, "--dry-run", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { update: unknown[] }).update).toHaveLength(7);
    expect(writesSince(from)).toEqual([]);
  });
});

// ---- prune ----------------------------------------------------------------------------------------------------------

describe("--prune", () => {
  const extras = ["team_a_zz_stale", "team_b_zz_stale", "other_stale"];
  const addExtras = () =>
    seed(fake.server, ...extras.map((id) => ({ connection_id: id, conn_type: "http", host: "stale.example.com" })));
  let teamA: string;
  beforeAll(async () => {
    await addExtras();
    teamA = file("team-a.yaml", yamlOf(changed().filter((c) => c.id.startsWith("team_a_"))));
  });

  it("without --yes and without a terminal: exit 2, nothing deleted", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", v2, "--prune"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^airconn: --prune would delete 3 connections: pass --yes to confirm without a terminal\n/,
    );
    expect(writesSince(from)).toEqual([]);
    for (const id of extras) expect(fake.server.stored(id)).toBeDefined();
  });

  it("diff --prune lists them as deletions and --exit-code says so", async () => {
    const r = await run(["diff", v2, "--prune", "--exit-code", "-o", "json"]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout) as { only_on_server: string[]; delete: string[] };
    expect(d.only_on_server.sort()).toEqual([...extras].sort());
    expect(d.delete.sort()).toEqual([...extras].sort());
  });

  it("with --pattern team_a_%: only the in-scope id is deleted", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", teamA, "--pattern", "team_a_%", "--prune", "--yes", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r.stdout);
    expect(rep.deleted).toEqual(["team_a_zz_stale"]);
    expect(rep.skipped).toHaveLength(N / 2);
    expect(rep.created.length + rep.updated.length + rep.failed.length).toBe(0);
    const w = writesSince(from);
    expect(w).toHaveLength(1);
    expect(w[0]!.json).toEqual({
      actions: [{ action: "delete", entities: ["team_a_zz_stale"], action_on_non_existence: "skip" }],
    });
    // the server list was asked for the team's connections only
    expect(
      since(from)
        .filter((q) => q.method === "GET" && q.path === "/api/v2/connections")
        .every((q) => q.query.get("connection_id_pattern") === "team_a_%"),
    ).toBe(true);
    expect(fake.server.stored("team_a_zz_stale")).toBeUndefined();
    expect(fake.server.stored("team_b_zz_stale")).toBeDefined();
    expect(fake.server.stored("other_stale")).toBeDefined();
    expect(fake.server.all()).toHaveLength(N + 2);
  });

  it("a file with ids outside --pattern is refused before any write", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", v2, "--pattern", "team_a_%", "--prune", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/250 connections are outside --pattern team_a_%: team_b_0001/);
    expect(since(from)).toEqual([]);
  });

  it("without --pattern, --yes deletes everything not in the file", async () => {
    const from = fake.server.requests.length;
    const r = await run(["apply", v2, "--prune", "--yes", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).deleted.sort()).toEqual(["other_stale", "team_b_zz_stale"]);
    expect(writesSince(from)).toHaveLength(1);
    expect(
      fake.server
        .all()
        .map((c) => c.connection_id)
        .sort(),
    ).toEqual(
      changed()
        .map((c) => c.id)
        .sort(),
    );
  });
});

// ---- ${VAR} ---------------------------------------------------------------------------------------------------------

describe("${VAR} secrets", () => {
  it("a missing variable exits 2 before any request, naming the variable and no value", async () => {
    const p = file(
      "missing.yaml",
      [
        "connections:",
        "  - connection_id: needs_vars",
        "    conn_type: postgres",
        "    login: ${HIDDEN}",
        "    password: ${DB_PASSWORD_NOT_SET}",
        "",
      ].join("\n"),
    );
    const from = fake.server.requests.length;
    for (const cmd of ["apply", "diff"]) {
      const r = await run([cmd, p]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /^airconn: .*missing\.yaml:5: needs_vars\.password: environment variable DB_PASSWORD_NOT_SET is not set\n/,
      );
      expect(r.stderr).not.toContain(HIDDEN);
    }
    expect(since(from)).toEqual([]);
  });

  it("${VAR:-default} uses the default when unset; the default reaches the server", async () => {
    const p = file(
      "default.yaml",
      "- id: with_default\n  conn_type: http\n  host: ${API_HOST:-api.example.com}\n  password: ${PG_PASS}\n",
    );
    const r = await run(["apply", p, "--pattern", "with_default", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r.stdout).created).toEqual(["with_default"]);
    expect(fake.server.stored("with_default")).toMatchObject({ host: "api.example.com", password: PG_PASS });
  });

  it("no run of this file printed a secret value", () => {
    expect(outputs.length).toBeGreaterThan(12);
    for (const o of outputs) {
      for (const s of [PG_PASS, API_KEY, HIDDEN])
        expect(o.text.includes(s), `${o.args.join(" ")} printed a secret`).toBe(false);
    }
  });
});
