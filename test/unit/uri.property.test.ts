import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  buildConnectionUri,
  normaliseConnType,
  parseConnectionUri,
  type QueryTyping,
  type UriFields,
} from "../../src/uri/index.js";
import { PyFloat, PyInt, PyJsonError, pyDumps, pyLoads, type PyObject, type PyValue } from "../../src/util/pyjson.js";

// ---------------------------------------------------------------------------------------------------------------
// Generators. Text fields mix letters of both cases, digits, unicode (incl. astral) and every URI delimiter.

const AWKWARD = [..."aZ09 /:@?#%+&=!'()*~-_.[]\\\"", "é", "Ω", "€", "😀", "\u00a0", "\t", "\n", "\u0000"];
const awkward = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...AWKWARD), minLength: 1, maxLength }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength }),
  );
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), fc.constant("" as unknown as T), arb);

// Types as users write them: letters, digits, '-', '_', '+', '.'; any case.
const connType = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_+.-]{0,10}$/);
// A protocol kept in the host: a valid lower-case URI scheme (urlsplit lower-cases schemes).
const protocol = fc.stringMatching(/^[a-z][a-z0-9+.-]{0,6}$/);

const jsonLeaf: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => new PyInt(n.toString())),
  fc.double().map((x) => new PyFloat(x)),
  awkward(6),
);
const jsonValue: fc.Arbitrary<PyValue> = fc.letrec<{ v: PyValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.array(fc.tuple(awkward(4), tie("v")), { maxLength: 3 }).map((kv) => new Map(kv) as PyObject),
  ),
})).v;
// String values that json.loads would accept, to exercise the "json" typing.
const jsonLooking = fc.constantFrom(
  "123",
  "-0",
  "1.5",
  "1e400",
  "true",
  "null",
  "NaN",
  "[1, 2]",
  '{"a": "b"}',
  ' "q" ',
  "01",
  "tru",
  '"123"',
  '"\\"x\\""',
);
const extraKey = awkward(6).filter((k) => k !== "__extra__");
const extraText = fc
  .oneof(
    // only string values → written as plain query parameters
    fc.array(fc.tuple(extraKey, fc.oneof(awkward(8), jsonLooking, fc.constant(""))), { minLength: 1, maxLength: 4 }),
    // any JSON values (nested, numbers, booleans...) → written as __extra__
    fc.array(fc.tuple(extraKey, jsonValue), { maxLength: 4 }),
  )
  .map((kv) => pyDumps(new Map(kv)));

interface Case {
  fields: UriFields;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    conn_type: fc.oneof(fc.constant(null), fc.constant(""), connType),
    host: nullable(awkward(12).filter((h) => !h.includes("://"))),
    hostProtocol: fc.oneof(fc.constant(null), protocol),
    login: nullable(awkward(10)),
    password: nullable(awkward(10)),
    port: fc.oneof(fc.constant(null), fc.constant(0), fc.integer({ min: 1, max: 65535 })),
    schema: nullable(awkward(10)),
    extra: fc.oneof(fc.constant(null), fc.constant(""), extraText),
  })
  .map(({ hostProtocol, ...f }) => {
    const fields: UriFields = { ...f };
    // A protocol in the host needs a conn_type, a non-empty host after it, and must not end with the written
    // scheme (Airflow's str.replace would eat it): Airflow's own round trip loses those.
    if (hostProtocol && f.conn_type && f.host) {
      const scheme = f.conn_type.toLowerCase().replaceAll("_", "-");
      if (hostProtocol === f.conn_type || !hostProtocol.endsWith(scheme)) fields.host = `${hostProtocol}://${f.host}`;
    }
    return { fields };
  });

// ---------------------------------------------------------------------------------------------------------------
// What parse(build(x)) must return: x with Airflow's normalisations, and nothing else changed.

/** The leading run of unreserved characters is what Python's .hostname lower-cases (the rest is %-escaped). */
function hostAfterRoundTrip(h: string): string {
  if (h.includes("/")) return h; // raw netloc fallback keeps case
  const m = /^[A-Za-z0-9_.~-]*/.exec(h)![0];
  return m.toLowerCase() + h.slice(m.length);
}

function tryLoads(s: string): PyValue | undefined {
  try {
    return pyLoads(s);
  } catch (e) {
    if (e instanceof PyJsonError) return undefined;
    throw e;
  }
}

function expectedRoundTrip(x: UriFields, typing: QueryTyping): UriFields {
  // conn_type: written lower-case with '_' → '-', read back with '-' → '_' (and postgresql → postgres); none → "".
  const conn_type = x.conn_type ? normaliseConnType(x.conn_type.toLowerCase().replaceAll("_", "-")) : "";
  // host: none → ""; lower-cased unreserved prefix unless it holds '/'; "proto://" kept in front.
  let host = x.host ?? "";
  let hostToUse = host;
  if (host.includes("://")) {
    const sep = host.indexOf("://");
    const proto = host.slice(0, sep);
    if (proto === x.conn_type) host = hostAfterRoundTrip(host);
    else {
      hostToUse = host.slice(sep + 3);
      host = `${proto}://${hostAfterRoundTrip(hostToUse)}`;
    }
  } else host = hostAfterRoundTrip(host);
  // login/password: an empty password is dropped (models.Connection); login "" without password is not written;
  // a password without login, or a port without host and user-info ("@:PORT"), reads back login "".
  const password = x.password ? x.password : null;
  const hasAuth = (x.login !== null && x.login !== "") || x.password !== null;
  const atPort = !hasAuth && !hostToUse && !!x.port;
  const login = hasAuth ? (x.login ?? "") : atPort ? "" : null;
  // extra: all-string objects come back re-typed under "json" typing; anything else comes back verbatim.
  let extra: string | null = null;
  if (x.extra) {
    const obj = pyLoads(x.extra) as PyObject;
    const plain = obj.size > 0 && [...obj.values()].every((v) => typeof v === "string");
    if (!plain) extra = x.extra;
    else {
      const back: PyObject = new Map();
      for (const [k, v] of obj) {
        const decoded = typing === "json" ? tryLoads(v as string) : undefined; // json.loads("null") is None: keep it
        back.set(k, decoded === undefined ? v : decoded);
      }
      extra = pyDumps(back);
    }
  }
  return { conn_type, host, login, password, port: x.port ? x.port : null, schema: x.schema ?? "", extra };
}

// ---------------------------------------------------------------------------------------------------------------

describe("uri properties", () => {
  for (const typing of ["json", "string"] as const) {
    it(`parse(build(x)) == x up to Airflow's normalisations (queryValues=${typing})`, () => {
      fc.assert(
        fc.property(caseArb, ({ fields }) => {
          const uri = buildConnectionUri(fields);
          expect(parseConnectionUri(uri, { queryValues: typing })).toEqual(expectedRoundTrip(fields, typing));
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("a second round trip is predicted too, and changes nothing unless Airflow itself is lossy", () => {
    // Airflow's own losses on a second round: `login ""` without password is not written; under "json" typing a
    // string value that is itself JSON text (e.g. '"123"' → "123" → 123) is decoded once more.
    const decodable = (extra: string | null) =>
      extra !== null &&
      [...(pyLoads(extra) as PyObject).values()].some((v) => typeof v === "string" && tryLoads(v) !== undefined);
    fc.assert(
      fc.property(caseArb, fc.constantFrom<QueryTyping>("json", "string"), ({ fields }, typing) => {
        const f = (x: UriFields) => parseConnectionUri(buildConnectionUri(x), { queryValues: typing });
        const once = f(fields);
        const twice = f(once);
        expect(twice).toEqual(expectedRoundTrip(once, typing));
        const lossy = (once.login === "" && once.password === null) || (typing === "json" && decodable(once.extra));
        if (!lossy) expect(twice).toEqual(once);
      }),
      { numRuns: 800 },
    );
  });

  it("without lossy inputs the round trip is exact", () => {
    // lower-case hosts, non-empty logins with passwords, ports > 0, non-empty schema, extras with a non-string
    // value (so __extra__ is used), conn_type already normalised: nothing may change at all.
    const exact = fc.record({
      conn_type: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((t) => t !== "postgresql"),
      host: awkward(12)
        .map((h) => h.toLowerCase())
        .filter((h) => !h.includes("://") && h === hostAfterRoundTrip(h)),
      login: awkward(10),
      password: awkward(10),
      port: fc.integer({ min: 1, max: 65535 }),
      schema: awkward(10),
      extra: fc
        .array(fc.tuple(extraKey, jsonValue), { maxLength: 3 })
        .map((kv) => pyDumps(new Map([...kv, ["n", new PyInt("1")]]))),
    });
    fc.assert(
      fc.property(exact, fc.constantFrom<QueryTyping>("json", "string"), (x, typing) => {
        expect(parseConnectionUri(buildConnectionUri(x), { queryValues: typing })).toEqual(x);
      }),
      { numRuns: 800 },
    );
  });

  it("fuzz: parseConnectionUri returns fields or throws a one-line UsageError, nothing else", () => {
    const uriChars = fc.constantFrom(
      ..."::///@@??##%%[]aAzZ09_-.+ =&!'()*~é€\u00df\u2100\uff0f\t\n\r\u0000 ",
      "%2F",
      "%3a",
      "%40",
      "%C3%A9",
      "%zz",
      "%",
      "://",
      "postgresql://",
      "__extra__=",
      "%7B%22a%22%3A1%7D",
      "%5B1%5D",
      "[::1]",
      "[v1.x]",
      "[1.2.3.4]",
      ":80",
      ":0",
      ":65536",
      ":-1",
      "\ud800",
      "\udc00",
      "😀",
      "K8S",
      "?a=1",
      "&b=true",
      "=",
    );
    const arbitraryUri = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.array(uriChars, { maxLength: 30 }).map((a) => a.join("")),
      fc
        .tuple(fc.constantFrom("t", "T", "my-type", "postgresql", "a+b.c"), fc.array(uriChars, { maxLength: 25 }))
        .map(([s, a]) => `${s}://${a.join("")}`),
    );
    fc.assert(
      fc.property(
        arbitraryUri,
        fc.constantFrom<QueryTyping | undefined>("json", "string", undefined),
        (uri, typing) => {
          let out: UriFields;
          try {
            out = parseConnectionUri(uri, typing ? { queryValues: typing } : undefined);
          } catch (e) {
            if (!(e instanceof UsageError)) throw new Error(`non-UsageError for ${JSON.stringify(uri)}: ${String(e)}`);
            expect(e.exitCode).toBe(2);
            expect(e.message).not.toMatch(/[\n\r]/);
            return;
          }
          for (const k of ["conn_type", "host", "schema"] as const) expect(typeof out[k]).toBe("string");
          for (const k of ["login", "password", "extra"] as const)
            expect(out[k] === null || typeof out[k] === "string").toBe(true);
          expect(out.port === null || (Number.isInteger(out.port) && out.port >= 0 && out.port <= 65535)).toBe(true);
          if (out.extra !== null) expect(pyLoads(out.extra)).toBeInstanceOf(Map);
          // Whatever parses can be written back (a lone surrogate copied from the input is the one UsageError).
          try {
            expect(typeof buildConnectionUri(out)).toBe("string");
          } catch (e) {
            if (!(e instanceof UsageError)) throw e;
            expect(JSON.stringify(out)).toMatch(/\\ud[89a-f]/);
          }
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("fuzz: buildConnectionUri returns a string or throws UsageError", () => {
    const anyField = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string({ unit: "binary", maxLength: 10 }),
      fc.integer(),
      fc.double(),
    );
    fc.assert(
      fc.property(
        fc.record({
          conn_type: anyField,
          host: anyField,
          login: anyField,
          password: anyField,
          port: anyField,
          schema: anyField,
          extra: fc.oneof(anyField, extraText),
        }),
        (f) => {
          try {
            expect(typeof buildConnectionUri(f as unknown as Partial<UriFields>)).toBe("string");
          } catch (e) {
            if (!(e instanceof UsageError)) throw new Error(`non-UsageError: ${String(e)}`);
            expect(e.message).not.toMatch(/[\n\r]/);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
