// planFromServer: one Airflow's connections as the wanted state of another. Secrets ("***" on both sides) are
// never differences and never values to send; what the target lacks is "missing".
import { describe, expect, it } from "vitest";
import { planFromServer } from "../../src/apply/plan.js";
import type { ConnectionResponse } from "../../src/api/types.js";
import { connection } from "../support/connection.js";

const conn = (c: Partial<ConnectionResponse> & { connection_id: string }) => connection(c);

describe("planFromServer", () => {
  it("different secrets on both sides are not comparable, not a change", () => {
    const p = planFromServer(
      [conn({ connection_id: "a", password: "***", extra: '{"api_key": "***", "x": 1}' })],
      [conn({ connection_id: "a", password: "***", extra: '{"api_key": "***", "x": 1}' })],
    );
    expect(p.unchanged).toEqual(["a"]);
    expect(p.notCompared).toEqual([
      { id: "a", field: "password" },
      { id: "a", field: "extra.api_key" },
    ]);
    expect(p.missing).toEqual([]);
  });

  it("a plain extra change is sent with *** only where the target holds a secret (the server merges it back)", () => {
    const p = planFromServer(
      [conn({ connection_id: "a", extra: '{"api_key": "***", "token": "***", "x": 2}' })],
      [conn({ connection_id: "a", extra: '{"api_key": "***", "x": 1}' })],
    );
    expect(p.update).toHaveLength(1);
    const u = p.update[0]!;
    expect(u.changes).toEqual([{ field: "extra.x", kind: "value", from: 1, to: 2 }]);
    expect(u.mask).toEqual(["extra"]);
    expect(JSON.parse(u.body.extra!)).toEqual({ api_key: "***", x: 2 }); // "token" is missing on the target: not sent
    expect(p.missing).toEqual([{ id: "a", field: "extra.token" }]);
  });

  it("a nested secret: the rest of the value is compared; a secret only in the source is missing, the target keeps its value", () => {
    const p = planFromServer(
      [
        conn({ connection_id: "a", extra: '{"auth": {"user": "u2", "token": "***"}, "cfg": {"key": "***"}}' }),
        conn({ connection_id: "b", extra: '{"auth": {"token": "***"}, "y": 1}' }),
      ],
      [
        conn({ connection_id: "a", extra: '{"auth": {"user": "u1", "token": "***"}, "cfg": {"key": "***"}}' }),
        conn({ connection_id: "b", extra: '{"auth": {"user": "x"}, "y": 0}' }),
      ],
    );
    const a = p.update.find((u) => u.id === "a")!;
    expect(a.changes.map((c) => c.field)).toEqual(["extra.auth"]);
    expect(p.notCompared).toContainEqual({ id: "a", field: "extra.cfg" });
    const b = p.update.find((u) => u.id === "b")!;
    expect(b.changes).toEqual([{ field: "extra.y", kind: "value", from: 0, to: 1 }]);
    expect(JSON.parse(b.body.extra!)).toEqual({ auth: { user: "x" }, y: 1 });
    expect(p.missing).toContainEqual({ id: "b", field: "extra.auth" });
  });

  it("a password only on the target is not comparable (the API cannot clear it); only on the source, missing", () => {
    const p = planFromServer(
      [conn({ connection_id: "a" }), conn({ connection_id: "b", password: "***" })],
      [conn({ connection_id: "a", password: "***" }), conn({ connection_id: "b" })],
    );
    expect(p.unchanged).toEqual(["a", "b"]);
    expect(p.notCompared).toEqual([{ id: "a", field: "password" }]);
    expect(p.missing).toEqual([{ id: "b", field: "password" }]);
  });

  it("a target without extra and a source with only a secret in it: nothing to send", () => {
    const p = planFromServer(
      [conn({ connection_id: "a", extra: '{"api_key": "***"}' })],
      [conn({ connection_id: "a", extra: null })],
    );
    expect(p.unchanged).toEqual(["a"]);
    expect(p.missing).toEqual([{ id: "a", field: "extra.api_key" }]);
  });

  it("new connections: listed with their missing secrets; the body still holds *** (apply strips it before sending)", () => {
    const p = planFromServer(
      [conn({ connection_id: "n", password: "***", extra: '{"k": "***", "z": 1}' })],
      [conn({ connection_id: "old" })],
    );
    expect(p.create.map((c) => c.id)).toEqual(["n"]);
    expect(p.missing).toEqual([
      { id: "n", field: "password" },
      { id: "n", field: "extra.k" },
    ]);
    expect(p.onlyOnServer).toEqual(["old"]);
  });
});
