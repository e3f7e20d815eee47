// export --format airconn: names of the secret variables (collisions resolved), and the round trip through the
// airconn reader: with the variables set, every field reads back as the server holds it, secrets included.
import { describe, expect, it } from "vitest";
import { assignNames, formatAirconn, variableName } from "../../src/files/airconn-write.js";
import { parseConnectionsFile } from "../../src/files/index.js";
import type { ConnectionResponse } from "../../src/api/types.js";
import { connection } from "../support/connection.js";
import { UsageError } from "../../src/errors.js";

const conn = (c: Partial<ConnectionResponse> & { connection_id: string }) => connection(c);

describe("variable names", () => {
  it("AIRCONN_ + id + field, upper case, other characters as _", () => {
    expect(variableName("my_pg", ["password"])).toBe("AIRCONN_MY_PG_PASSWORD");
    expect(variableName("my_pg", ["extra", "api_key"])).toBe("AIRCONN_MY_PG_EXTRA_API_KEY");
    expect(variableName("a.b-c", ["extra", "auth", "token"])).toBe("AIRCONN_A_B_C_EXTRA_AUTH_TOKEN");
    expect(variableName("café", ["extra", "tokens", 1])).toBe("AIRCONN_CAF__EXTRA_TOKENS_1");
  });

  it("two references that would share a name both get a stable hash suffix; the others keep the plain name", () => {
    const refs = [
      { id: "my-pg", path: ["password"] },
      { id: "my_pg", path: ["password"] },
      { id: "other", path: ["password"] },
      { id: "x", path: ["extra", "auth", "token"] },
      { id: "x", path: ["extra", "auth_token"] },
    ];
    const names = assignNames(refs);
    expect(new Set(names.map((n) => n.name)).size).toBe(5);
    expect(names[0]!.name).toMatch(/^AIRCONN_MY_PG_PASSWORD_[0-9A-F]{6}$/);
    expect(names[1]!.name).toMatch(/^AIRCONN_MY_PG_PASSWORD_[0-9A-F]{6}$/);
    expect(names[2]!.name).toBe("AIRCONN_OTHER_PASSWORD");
    expect(names[3]!.name).toMatch(/^AIRCONN_X_EXTRA_AUTH_TOKEN_[0-9A-F]{6}$/);
    // The same id and field get the same name in any export that has the collision, whatever the order.
    const again = assignNames([refs[1]!, refs[0]!]);
    expect(again.map((n) => n.name)).toEqual([names[1]!.name, names[0]!.name]);
    expect(names.map((n) => n.field)).toEqual([
      "password",
      "password",
      "password",
      "extra.auth.token",
      "extra.auth_token",
    ]);
  });
});

describe("formatAirconn round trip", () => {
  const server = [
    conn({
      connection_id: "my-pg",
      conn_type: "postgres",
      description: "Main $HOME ${NOT_A_VAR} $$",
      host: "db.internal",
      login: "app",
      schema: "s",
      port: 5432,
      password: "***",
      extra:
        '{"sslmode": "require", "api_key": "***", "n": 1.0, "big": 12345678901234567890, "auth": {"user": "u", "token": "***"}, "keys": ["***", "plain"], "u": "\\u00e9\\ud83d\\ude00\\u2028\\u007f"}',
    }),
    conn({ connection_id: "my_pg", conn_type: "postgres", password: "***", extra: "" }),
    conn({
      connection_id: "plain",
      description: 'quote " backslash \\ tab \t newline \n',
      extra: '{"timeout": 30}',
      team_name: "data",
    }),
  ];
  const secrets: Record<string, string> = {
    "my-pg password": "pw-1$x\"'\\",
    "my-pg extra.api_key": "key ${X} $$",
    "my-pg extra.auth.token": "tok-n",
    "my-pg extra.keys.0": "k0",
    "my_pg password": "pw-2",
  };

  it("lists every variable in the header and reads back field for field with them set", () => {
    const out = formatAirconn(server, { source: "http://prod" });
    expect(out.variables.map((v) => `${v.id} ${v.field}`).sort()).toEqual(Object.keys(secrets).sort());
    const header = out.text.split("\n").filter((l) => /^# {3}AIRCONN_/.test(l));
    expect(header.length).toBe(5);
    for (const v of out.variables) expect(out.text).toContain(`\${${v.name}}`);
    expect(out.text).not.toContain('"***"');
    const env = Object.fromEntries(out.variables.map((v) => [v.name, secrets[`${v.id} ${v.field}`]!]));
    const parsed = parseConnectionsFile(out.text, { format: "airconn", fileName: "prod.yaml", env });
    const byId = new Map(parsed.connections.map((c) => [c.body.connection_id, c.body]));
    const a = byId.get("my-pg")!;
    expect(a).toMatchObject({
      conn_type: "postgres",
      description: "Main $HOME ${NOT_A_VAR} $$",
      host: "db.internal",
      login: "app",
      schema: "s",
      port: 5432,
      password: "pw-1$x\"'\\",
    });
    expect(JSON.parse(a.extra!)).toEqual({
      sslmode: "require",
      api_key: "key ${X} $$",
      n: 1,
      // biome-ignore lint/correctness/noPrecisionLoss: a JavaScript number past 2^53, as a JSON reader gives it
      big: 12345678901234567890,
      auth: { user: "u", token: "tok-n" },
      keys: ["k0", "plain"],
      u: "é😀\u2028\u007f",
    });
    expect(a.extra).toContain('"n": 1.0');
    expect(a.extra).toContain('"big": 12345678901234567890');
    expect(byId.get("my_pg")).toMatchObject({ password: "pw-2", extra: "" });
    expect(byId.get("plain")).toMatchObject({
      description: 'quote " backslash \\ tab \t newline \n',
      extra: '{"timeout": 30}',
      team_name: "data",
    });
    expect("password" in byId.get("plain")!).toBe(false);
  });

  it("with a variable missing the file is refused, naming the variable and never a value", () => {
    const out = formatAirconn(server);
    const env = Object.fromEntries(out.variables.slice(1).map((v) => [v.name, "x-secret-value"]));
    let err: unknown;
    try {
      parseConnectionsFile(out.text, { format: "airconn", fileName: "prod.yaml", env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`environment variable ${out.variables[0]!.name} is not set`);
    expect((err as Error).message).not.toContain("x-secret-value");
  });

  it("an empty export is a valid file with no connections", () => {
    const out = formatAirconn([]);
    expect(out.text).toContain("# No secrets");
    expect(parseConnectionsFile(out.text, { format: "airconn", fileName: "e.yaml", env: {} }).connections).toEqual([]);
  });
});
