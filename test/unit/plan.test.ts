// Table tests of the apply planner (src/apply/plan.ts): one desired connection against the server's, and what the
// plan says — the field changes, the PATCH body and update_mask, and the secrets it could not compare.
import { describe, expect, it } from "vitest";
import type { ConnectionResponse } from "../../src/api/types.js";
import { compare, plan, type Desired, type FieldChange } from "../../src/apply/plan.js";

const server = (f: Partial<ConnectionResponse> = {}): ConnectionResponse => ({
  connection_id: "c",
  conn_type: "postgres",
  description: null,
  host: "db",
  login: "app",
  schema: null,
  port: 5432,
  password: null,
  extra: null,
  team_name: null,
  ...f,
});
/** A desired connection: only the fields given are present (as a file that names them). */
const want = (f: Record<string, unknown>): Desired => ({
  body: { connection_id: "c", conn_type: "postgres", ...f } as Desired["body"],
  present: new Set(["connection_id", "conn_type", ...Object.keys(f)]),
});

interface Row {
  name: string;
  want: Record<string, unknown>;
  have?: Partial<ConnectionResponse>;
  updateSecrets?: boolean;
  changes: FieldChange[];
  mask: string[];
  body?: Record<string, unknown>;
  notCompared?: string[];
}

const ROWS: Row[] = [
  { name: "same values: nothing to do", want: { host: "db", port: 5432 }, changes: [], mask: [] },
  { name: "a field absent from the file is left alone", want: {}, have: { host: "elsewhere" }, changes: [], mask: [] },
  {
    name: "a changed value",
    want: { host: "db2" },
    changes: [{ field: "host", kind: "value", from: "db", to: "db2" }],
    mask: ["host"],
    body: { host: "db2" },
  },
  {
    name: "null in the file clears",
    want: { login: null },
    changes: [{ field: "login", kind: "value", from: "app", to: null }],
    mask: ["login"],
    body: { login: null },
  },
  {
    name: "conn_type is compared",
    want: { conn_type: "mysql" },
    changes: [{ field: "conn_type", kind: "value", from: "postgres", to: "mysql" }],
    mask: ["conn_type"],
  },
  {
    name: "extra keys: changed, added, removed",
    want: { extra: '{"a": 1, "b": 2}' },
    have: { extra: '{"a": 0, "c": 3}' },
    changes: [
      { field: "extra.a", kind: "value", from: 0, to: 1 },
      { field: "extra.b", kind: "value", from: undefined, to: 2 },
      { field: "extra.c", kind: "value", from: 3, to: undefined },
    ],
    mask: ["extra"],
    body: { extra: '{"a": 1, "b": 2}' },
  },
  {
    name: "extra equal up to key order",
    want: { extra: '{"b": 2, "a": 1}' },
    have: { extra: '{"a": 1, "b": 2}' },
    changes: [],
    mask: [],
  },
  { name: "extra {} against none is no change", want: { extra: "{}" }, have: { extra: null }, changes: [], mask: [] },
  {
    name: "a sensitive extra key is not compared without --update-secrets",
    want: { extra: '{"token": "new"}' },
    have: { extra: '{"token": "***"}' },
    changes: [],
    mask: [],
    notCompared: ["extra.token"],
  },
  {
    name: "with --update-secrets it will be set",
    want: { extra: '{"token": "new"}' },
    have: { extra: '{"token": "***"}' },
    updateSecrets: true,
    changes: [{ field: "extra.token", kind: "secret", note: "will be set" }],
    mask: ["extra"],
    body: { extra: '{"token": "new"}' },
  },
  {
    name: "a new sensitive key is set",
    want: { extra: '{"api_key": "k"}' },
    have: { extra: "{}" },
    changes: [{ field: "extra.api_key", kind: "secret", note: "will be set" }],
    mask: ["extra"],
  },
  {
    name: '"***" in the file keeps the stored secret',
    want: { extra: '{"token": "***"}' },
    have: { extra: '{"token": "***"}' },
    changes: [],
    mask: [],
  },
  {
    name: "a password is not compared by default",
    want: { password: "pw" },
    changes: [],
    mask: [],
    notCompared: ["password"],
  },
  {
    name: "a password with --update-secrets",
    want: { password: "pw" },
    updateSecrets: true,
    changes: [{ field: "password", kind: "secret", note: "will be set" }],
    mask: ["password"],
    body: { password: "pw" },
  },
  {
    name: 'a "***" or empty password sends nothing',
    want: { password: "***" },
    updateSecrets: true,
    changes: [],
    mask: [],
  },
];

describe("compare: one desired connection against the server's", () => {
  it.each(ROWS.map((r) => [r.name, r] as const))("%s", (_, r) => {
    const c = compare(want(r.want), server(r.have), { updateSecrets: r.updateSecrets });
    expect(c.changes).toEqual(r.changes);
    expect(c.mask).toEqual(r.mask);
    expect(c.notCompared).toEqual(r.notCompared ?? []);
    expect(c.body.connection_id).toBe("c");
    for (const [k, v] of Object.entries(r.body ?? {}))
      expect((c.body as unknown as Record<string, unknown>)[k]).toEqual(v);
    // Only masked fields (and the id and type) are in the body that goes out.
    for (const k of Object.keys(c.body)) if (!["connection_id", "conn_type"].includes(k)) expect(c.mask).toContain(k);
  });
});

describe("plan: the whole file against the server", () => {
  const d = (id: string, f: Record<string, unknown> = {}): Desired => ({
    ...want(f),
    body: { ...want(f).body, connection_id: id },
  });
  it.each([
    { name: "empty file, empty server", desired: [], have: [], create: [], update: [], unchanged: [], only: [] },
    {
      name: "new, changed, same and only on the server",
      desired: [d("new"), d("chg", { host: "x" }), d("same", { host: "db" })],
      have: [server({ connection_id: "chg" }), server({ connection_id: "same" }), server({ connection_id: "gone" })],
      create: ["new"],
      update: ["chg"],
      unchanged: ["same"],
      only: ["gone"],
    },
  ])("$name", ({ desired, have, create, update, unchanged, only }) => {
    const p = plan(desired, have);
    expect(p.create.map((c) => c.id)).toEqual(create);
    expect(p.update.map((u) => u.id)).toEqual(update);
    expect(p.unchanged).toEqual(unchanged);
    expect(p.onlyOnServer).toEqual(only);
  });
  it('lists the secrets a create will set: the password and sensitive extra keys, not "***"', () => {
    const p = plan([d("n", { password: "pw", extra: '{"token": "t", "region": "eu", "secret": "***"}' })], []);
    expect(p.create[0]!.secrets).toEqual(["password", "extra.token"]);
  });
});
