import fc from "fast-check";
import { stringify as yamlStringify } from "yaml";
import { describe, expect, it } from "vitest";
import type { ConnectionResponse } from "../../src/api/types.js";
import { UsageError } from "../../src/errors.js";
import { formatExport, parseConnectionsFile, type FileFormat } from "../../src/files/index.js";
import { fromJs, pyDumps, pyLoads } from "../../src/util/pyjson.js";

const FORMATS: FileFormat[] = ["json", "yaml", "env", "astro", "airconn"];

function onlyUsageErrors(text: string, format: FileFormat, env: Record<string, string> = {}): void {
  try {
    parseConnectionsFile(text, { format, fileName: "f", env, substitute: true });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
  }
}

const FUZZ_RUNS = 300;

describe("parsers throw nothing but UsageError", () => {
  const nasty = fc.constantFrom(
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    '"',
    "'",
    "\n",
    " ",
    "  ",
    "-",
    "#",
    "=",
    "$",
    "${",
    "}",
    "${A}",
    "${A:-x}",
    "$$",
    "&a",
    "*a",
    "<<",
    "!!binary",
    "!!set",
    "? ",
    "conn_type",
    "uri",
    "extra",
    "port",
    "id",
    "connections",
    "airflow",
    "conn_id",
    "AIRFLOW_CONN_X",
    "postgres://u:p@h:5432/db?x=1",
    "//",
    "://",
    "%",
    "%zz",
    "\u0000",
    "\uFEFF",
    "é",
    "😀",
    "\ud800",
    "2024-01-01",
    "1e3",
    "0x1F",
    "null",
    "true",
    "65536",
    "-1",
    "1.5",
    "\t",
    "\r\n",
  );
  const tokens = fc.array(fc.oneof(nasty, fc.string({ maxLength: 6 })), { maxLength: 40 }).map((a) => a.join(""));

  for (const format of FORMATS) {
    it(`${format}: random text`, () => {
      fc.assert(
        fc.property(tokens, (t) => onlyUsageErrors(t, format, { A: "a" })),
        { numRuns: FUZZ_RUNS },
      );
    });
  }

  const fieldNames = fc.constantFrom(
    "conn_id",
    "connection_id",
    "id",
    "conn_type",
    "description",
    "host",
    "login",
    "password",
    "schema",
    "port",
    "extra",
    "uri",
    "team_name",
    "extra_dejson",
    "x",
    "conn_host",
    "conn_port",
    "conn_uri",
    "conn_extra",
    "conn_type",
  );
  const leaf = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom("postgres://h", "http", "${A}", "{}", '{"a": 1}', "5432"),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.oneof(fieldNames, fc.string({ maxLength: 5 })), tie("value"), { maxKeys: 5 }),
    ),
  }));
  const doc = fc.oneof(
    value,
    fc.dictionary(fc.oneof(fc.constantFrom("a", "b_1", "airflow", "connections"), fc.string({ maxLength: 4 })), value, {
      maxKeys: 4,
    }),
    fc.record({ airflow: fc.record({ connections: fc.array(fc.dictionary(fieldNames, leaf), { maxLength: 3 }) }) }),
  );

  for (const format of FORMATS) {
    it(`${format}: random structured documents`, () => {
      fc.assert(
        fc.property(doc, (d) => {
          const text =
            format === "json"
              ? (JSON.stringify(d) ?? "null")
              : format === "env"
                ? Object.entries((d ?? {}) as object)
                    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
                    .join("\n")
                : yamlStringify(d);
          onlyUsageErrors(text, format, { A: "a" });
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }
});

// ------------------------------------------------------------------------------------------ round trip

const ID_CHARS = [..."abcxyzABC019_.-", "é", "ß", "中"];
const idArb = fc.array(fc.constantFrom(...ID_CHARS), { minLength: 1, maxLength: 30 }).map((a) => a.join(""));
const TEXT_CHARS = [
  ..."aZ09 :#-'\"\\{}[],&*!|>%@`?~=./\n\t$",
  "é",
  "\u00a0",
  "\u2028",
  "\x85",
  "😀",
  "\x00",
  "\x1b",
  "***",
];
const textArb = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 40 }).map((a) => a.join(""));
const jsonValue = fc.jsonValue({ maxDepth: 2 }).filter((v) => JSON.stringify(v).length < 300);
const extraArb = fc.option(
  fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }).map((o) => pyDumps(fromJs(o))),
  { nil: null },
);

const connArb: fc.Arbitrary<ConnectionResponse> = fc.record({
  connection_id: idArb,
  conn_type: fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/),
  description: fc.option(textArb, { nil: null }),
  host: fc.option(textArb, { nil: null }),
  login: fc.option(textArb, { nil: null }),
  schema: fc.option(textArb, { nil: null }),
  port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: null }),
  password: fc.option(textArb, { nil: null }),
  extra: extraArb,
  team_name: fc.constant(null),
});
const connsArb = fc.uniqueArray(connArb, { maxLength: 5, selector: (c) => c.connection_id });

const DICT = ["conn_type", "description", "login", "password", "host", "port", "schema", "extra"] as const;
const asBody = (c: ConnectionResponse) => {
  const o: Record<string, unknown> = { connection_id: c.connection_id };
  for (const k of DICT) o[k] = c[k] ?? null;
  return o;
};

describe("generated connections round-trip through every writer and reader", () => {
  for (const [format, serialization] of [
    ["json", undefined],
    ["yaml", undefined],
    ["env", "json"],
  ] as const) {
    it(`${format}${serialization ? "+" + serialization : ""}: exact`, () => {
      fc.assert(
        fc.property(connsArb, (conns) => {
          const text = formatExport(format, conns, { serialization });
          const got = parseConnectionsFile(text, { format, fileName: "rt" }).connections.map((c) => c.body);
          expect(got).toEqual(conns.map(asBody));
        }),
        { numRuns: 200 },
      );
    });
  }

  // The URI form loses what Airflow's URI loses: description; "" login without password (and a password without a
  // login reads back with login ""); "" password; port 0;
  // null host/schema come back as ""; an empty extra object disappears; the host is lower-cased by urlsplit.
  it("env+uri: equal up to the URI form's documented losses", () => {
    const hostArb = fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/), { nil: null });
    const uriConn = connArb.chain((c) => hostArb.map((host) => ({ ...c, host })));
    fc.assert(
      fc.property(fc.uniqueArray(uriConn, { maxLength: 4, selector: (c) => c.connection_id }), (conns) => {
        const text = formatExport("env", conns);
        const got = parseConnectionsFile(text, {
          format: "env",
          fileName: "rt.env",
          uriQueryValues: "string",
        }).connections.map((c) => c.body);
        const norm = (b: Record<string, unknown>) => {
          const extra = b.extra === null || b.extra === undefined ? null : pyLoads(b.extra as string);
          return {
            connection_id: b.connection_id,
            conn_type: b.conn_type,
            host: b.host ?? "",
            schema: b.schema ?? "",
            // no login but a password → ":pw@" → login "" ; login "" without a password → no "@" → null
            login: (b.login ?? "") === "" ? (b.password ? "" : null) : b.login,
            password: b.password === "" ? null : (b.password ?? null),
            port: b.port === 0 ? null : (b.port ?? null),
            extra: extra instanceof Map && extra.size === 0 ? null : extra === null ? null : pyDumps(extra),
          };
        };
        // Typed query values (the default) would turn a string "1" into 1; with "string" typing every
        // plain query value stays a string, so only compare extras that went through __extra__ or are all-string.
        expect(got.map((b) => norm(b))).toEqual(conns.map((c) => norm(asBody(c))));
      }),
      { numRuns: 200 },
    );
  });
});
