// "***" is sent only where the server has a value to keep (src/connection/keep.ts), as Airflow merges it
// (api-behaviour.md §9): table tests of the matcher, and the plans of diff/apply built on it.
import { describe, expect, it } from "vitest";
import {
  keepStored,
  keepStoredBody,
  keepStoredExtra,
  missingSecretsWarning,
  redactedOfNew,
} from "../../src/connection/keep.js";
import { compare, plan, planFromServer, type Desired } from "../../src/apply/plan.js";
import type { ConnectionResponse } from "../../src/api/types.js";
import { connection } from "../support/connection.js";
import { pyDumps, pyLoads, toJs } from "../../src/util/pyjson.js";
import { sensitiveWordsFor } from "../../src/connection/secrets.js";

const keep = (want: string, have: string | undefined) => {
  const r = keepStored(pyLoads(want), have === undefined ? undefined : pyLoads(have), "extra");
  return { send: r.send === undefined ? undefined : toJs(r.send), missing: r.missing, clear: r.clear };
};

describe('keepStored: what goes out for a value holding "***"', () => {
  it.each([
    ["the server shows a secret there: *** is sent", '{"token": "***"}', '{"token": "***"}', { token: "***" }, []],
    ["the stored extra lacks the key: left out", '{"a": 1, "token": "***"}', '{"a": 1}', { a: 1 }, ["extra.token"]],
    ["no stored extra: left out", '{"a": 1, "token": "***"}', undefined, { a: 1 }, ["extra.token"]],
    [
      "nested: the key the stored object lacks goes",
      '{"auth": {"user": "u", "key": "***", "token": "***"}}',
      '{"auth": {"token": "***"}}',
      { auth: { user: "u", token: "***" } },
      ["extra.auth.key"],
    ],
    [
      "stored as something else than an object: left out inside",
      '{"auth": {"token": "***"}}',
      '{"auth": "***"}',
      { auth: {} },
      ["extra.auth.token"],
    ],
    [
      "a list: element by element, those past the stored end go",
      '{"keys": ["***", "***", 3]}',
      '{"keys": ["***"]}',
      { keys: ["***", 3] },
      ["extra.keys[1]"],
    ],
    ["a stored null: none to keep", '{"token": "***"}', '{"token": null}', { token: null }, ["extra.token"]],
    [
      "a hidden structure under a key that is not secret: its own copy goes back",
      '{"auth": "***"}',
      '{"auth": {"token": "***", "u": 1}}',
      { auth: { token: "***", u: 1 } },
      [],
    ],
    ["no *** at all: as it is", '{"a": 2}', '{"a": 1}', { a: 2 }, []],
  ])("%s", (_, want, have, send, missing) => {
    const r = keep(want, have);
    expect([r.send, r.missing]).toEqual([send, missing]);
  });

  it("a value the server shows in clear (a key its version does not hide) is sent as the server has it", () => {
    expect(keep('{"webhook_url": "***"}', '{"webhook_url": "https://h/1"}')).toEqual({
      send: { webhook_url: "https://h/1" },
      missing: [],
      clear: ["extra.webhook_url"],
    });
    // on 3.3 the server hides it: "***" goes out
    const r = keepStored(pyLoads('{"webhook_url": "***"}'), pyLoads('{"webhook_url": "***"}'), "extra", {
      words: sensitiveWordsFor({ major: 3, minor: 3 }),
    });
    expect(toJs(r.send!)).toEqual({ webhook_url: "***" });
  });

  it("keepStoredExtra / keepStoredBody / redactedOfNew", () => {
    expect(keepStoredExtra('{"a": 1}', null)).toBeUndefined();
    expect(keepStoredExtra('{"token": "***"}', null)).toEqual({ extra: "{}", missing: ["extra.token"], clear: [] });
    expect(keepStoredExtra('{"token": "***"}', "not json")).toEqual({
      extra: "{}",
      missing: ["extra.token"],
      clear: [],
    });
    const b = keepStoredBody(
      { connection_id: "c", conn_type: "http", password: "***", extra: '{"token": "***", "k": "***"}' },
      { password: null, extra: '{"k": "***"}' },
    );
    expect(b).toEqual({
      body: { connection_id: "c", conn_type: "http", extra: '{"k": "***"}' },
      missing: ["password", "extra.token"],
      clear: [],
    });
    const kept = keepStoredBody(
      { connection_id: "c", conn_type: "http", password: "***" },
      { password: "***", extra: null },
    );
    expect([kept.body.password, kept.missing]).toEqual(["***", []]);
    // a masked PATCH writes only the masked fields: the others are not looked at
    expect(
      keepStoredBody(
        { connection_id: "c", conn_type: "http", password: "***", extra: '{"t": "***"}' },
        { password: null, extra: null },
        undefined,
        { password: false, extra: true },
      ).missing,
    ).toEqual(["extra.t"]);
    expect(redactedOfNew({ password: "***", extra: '{"a": {"token": "***"}, "b": 1}' })).toEqual([
      "password",
      "extra.a.token",
    ]);
  });

  it("the warning names each id.field and how to set it", () => {
    const w = missingSecretsWarning([
      { id: "ap_1", field: "extra.token" },
      { id: "ap_2", field: "password" },
    ]);
    expect(w).toMatch(
      /^2 secrets given only as "\*\*\*" .* left out: .*: ap_1\.extra\.token, ap_2\.password; set them with airconn patch ID --set-extra KEY=VALUE .* --password-stdin/,
    );
    const many = missingSecretsWarning(Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, field: "password" })));
    expect(many).toContain("c29.password, ... (40 in all)");
    expect(many).not.toContain("c30.password");
  });
});

const server = connection;
const want = (f: Record<string, unknown>): Desired => ({
  body: { connection_id: "c", conn_type: "http", ...f } as Desired["body"],
  present: new Set(["connection_id", "conn_type", ...Object.keys(f)]),
});

describe('diff/apply plans: a "***" the server cannot keep is missing, never a change to ***', () => {
  it("the issue's case: extra {a: 1} on the server, {a: 1, token: ***} in the file", () => {
    const c = compare(want({ extra: '{"a": 1, "token": "***"}' }), server({ extra: '{"a": 1}' }));
    expect([c.changes, c.mask, c.missing]).toEqual([[], [], ["extra.token"]]);
  });

  it("with another change, the PATCH has no ***; a stored secret keeps its ***", () => {
    const c = compare(
      want({ extra: '{"a": 2, "token": "***", "api_key": "***"}', password: "***" }),
      server({ extra: '{"a": 1, "api_key": "***"}', password: null }),
    );
    expect(c.changes).toEqual([{ field: "extra.a", kind: "value", from: 1, to: 2 }]);
    expect(c.body.extra).toBe('{"a": 2, "api_key": "***"}');
    expect(c.missing).toEqual(["extra.token", "password"]);
    expect(c.body).not.toHaveProperty("password");
  });

  it("no extra on the server: keys go in one by one, without the ***", () => {
    const c = compare(want({ extra: '{"a": 1, "token": "***"}' }), server({ extra: null }));
    expect(c.changes).toEqual([{ field: "extra.a", kind: "value", from: undefined, to: 1 }]);
    expect([c.body.extra, c.missing]).toEqual(['{"a": 1}', ["extra.token"]]);
  });

  it("a nested *** under a plain key: compared without it", () => {
    const c = compare(
      want({ extra: '{"auth": {"user": "u2", "token": "***"}}' }),
      server({ extra: '{"auth": {"user": "u"}}' }),
    );
    expect(c.changes).toEqual([{ field: "extra.auth", kind: "value", from: { user: "u" }, to: { user: "u2" } }]);
    expect([pyDumps(pyLoads(c.body.extra!)), c.missing]).toEqual(['{"auth": {"user": "u2"}}', ["extra.auth.token"]]);
  });

  it("plan: a create's *** are missing; a password *** with a stored password is not", () => {
    const p = plan(
      [
        {
          ...want({ password: "***", extra: '{"x": 1, "secret": "***"}' }),
          body: { connection_id: "n", conn_type: "http", password: "***", extra: '{"x": 1, "secret": "***"}' },
        },
        want({ password: "***" }),
      ],
      [server({ password: "***" })],
    );
    expect(p.missing).toEqual([
      { id: "n", field: "password" },
      { id: "n", field: "extra.secret" },
    ]);
    expect(p.unchanged).toEqual(["c"]);
  });

  it("from another server: a nested secret the target lacks is left out, the one it has kept", () => {
    const conn = (c: Partial<ConnectionResponse>) => server(c);
    const p = planFromServer(
      [conn({ extra: '{"auth": {"token": "***", "key": "***", "u": 2}}' })],
      [conn({ extra: '{"auth": {"token": "***", "u": 1}}' })],
    );
    expect(JSON.parse(p.update[0]!.body.extra!)).toEqual({ auth: { token: "***", u: 2 } });
    expect(p.missing).toEqual([{ id: "c", field: "extra.auth.key" }]);
  });
});
