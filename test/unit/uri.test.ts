import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  DEFAULT_QUERY_TYPING,
  buildConnectionUri,
  normaliseConnType,
  parseConnectionUri,
  type QueryTyping,
  type UriFields,
} from "../../src/uri/index.js";
import { parseQsl, quote, quotePlus, unquote, unquotePlus, urlencode, urlsplit } from "../../src/uri/pyurl.js";
import { pyDumps, pyLoads, toJs, type PyObject, type PyValue } from "../../src/util/pyjson.js";

// The vectors are read with the Python-faithful JSON reader so that numbers in `extra` keep their int/float kind.
const raw = pyLoads(readFileSync(new URL("../fixtures/uri-vectors.json", import.meta.url), "utf8")) as PyValue[];

interface Vector {
  index: number;
  uri: string;
  direction: "parse" | "build";
  expected: UriFields | null;
  expected_error?: string;
  roundtrip_uri?: string;
  computed_get_uri?: string;
  parsed_back?: UriFields;
  roundtrip_asserted?: string;
  asserted_fields?: string[];
  notes?: string;
  version_note?: string;
  source: string;
}

/** Vector fields → UriFields, extra as the JSON text Airflow stores (Python json.dumps). */
function fieldsOf(v: PyValue | undefined): UriFields | null {
  if (!(v instanceof Map)) return null;
  const str = (k: string) => (v.get(k) ?? null) as string | null;
  const extra = v.get("extra");
  return {
    conn_type: str("conn_type"),
    host: str("host"),
    login: str("login"),
    password: str("password"),
    port: v.get("port") == null ? null : (toJs(v.get("port")!) as number),
    schema: str("schema"),
    extra: extra == null ? null : pyDumps(extra),
  };
}

const vectors: Vector[] = raw.map((entry, index) => {
  const m = entry as PyObject;
  const plain = toJs(m) as Record<string, unknown>;
  return {
    ...(plain as unknown as Vector),
    index,
    expected: fieldsOf(m.get("expected")),
    parsed_back: fieldsOf(m.get("parsed_back")) ?? undefined,
  };
});

const parseVectors = vectors.filter((v) => v.direction === "parse");
const buildVectors = vectors.filter((v) => v.direction === "build");
const label = (v: Vector) => `#${v.index} ${v.uri}`;

/** The <= 3.1 / Task SDK extra given in a version_note ("Airflow <= 3.1 gives {...}." / "... would be {...}."). */
function legacyExtra(note: string): string {
  const start = note.indexOf("{", note.indexOf("<= 3.1"));
  const end = note.lastIndexOf("}");
  return pyDumps(pyLoads(note.slice(start, end + 1)));
}

function expectUsageError(fn: () => unknown): UsageError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UsageError);
  const err = caught as UsageError;
  expect(err.exitCode).toBe(2);
  expect(err.message).not.toContain("\n");
  return err;
}

/** Checks our error against the vector's expected_error (Airflow's wording where Airflow has one). */
function checkError(v: Vector, typing: QueryTyping) {
  const err = expectUsageError(() => parseConnectionUri(v.uri, { queryValues: typing }));
  const want = v.expected_error!;
  // Airflow's wording starts the message; where Airflow repeats the URI or a piece of it, airconn says what is wrong
  // instead: with an unencoded "/" in a password, any piece may be part of the password (issue 19).
  expect(`${err.message} ${err.hint}`).not.toContain(v.uri);
  if (want.startsWith("Invalid connection string:")) {
    expect(err.message).toMatch(
      /^Invalid connection string: (?:":\/\/" appears \d+ times|the part before the second ":\/\/")/,
    );
  } else if (want.startsWith("The URI provided to --conn-uri is invalid:")) {
    // Airflow's CLI wording names the --conn-uri flag; the codec is also used for files.
    expect(err.message).toBe("The URI provided is invalid: it has no connection type (expected <conn-type>://...).");
  } else if (want.startsWith("ValueError: invalid literal for int()")) {
    // Python's ValueError, reworded: not the port text (it is often the start of a password), and how to encode.
    const portText = /'([^']*)'/.exec(want)![1]!;
    expect(err.message).toBe("Invalid connection URI: the port is not a number (digits only).");
    expect(`${err.message} ${err.hint}`).not.toContain(portText);
    expect(err.hint).toMatch(/percent-encode.*\/ as %2F/);
  } else {
    throw new Error(`unhandled expected_error in vector ${label(v)}: ${want}`);
  }
}

describe("uri vectors", () => {
  it("the fixture has both directions", () => {
    expect(parseVectors.length).toBeGreaterThan(30);
    expect(buildVectors.length).toBeGreaterThan(5);
    expect(DEFAULT_QUERY_TYPING).toBe("json");
  });

  describe("direction parse: uri → fields", () => {
    for (const v of parseVectors) {
      if (v.expected_error !== undefined) {
        it(`${label(v)} → error (both query typings)`, () => {
          checkError(v, "json");
          checkError(v, "string");
        });
        continue;
      }
      it(`${label(v)} → expected fields (default = 3.2 API server)`, () => {
        expect(parseConnectionUri(v.uri)).toEqual(v.expected);
        expect(parseConnectionUri(v.uri, { queryValues: "json" })).toEqual(v.expected);
      });
      it(`${label(v)} → 3.0/3.1 + Task SDK typing ("string")`, () => {
        // Version difference: only vectors with a version_note differ (typed query values, PR #59339).
        const want = v.version_note ? { ...v.expected!, extra: legacyExtra(v.version_note) } : v.expected;
        expect(parseConnectionUri(v.uri, { queryValues: "string" })).toEqual(want);
      });
      it(`${label(v)} → get_uri() of the parsed connection`, () => {
        const parsed = parseConnectionUri(v.uri);
        const want = v.roundtrip_uri ?? v.computed_get_uri;
        expect(want).toBeDefined();
        expect(buildConnectionUri(parsed)).toBe(want);
        // parse(get_uri(parse(uri))) == parse(uri), in both typings.
        expect(parseConnectionUri(buildConnectionUri(parsed))).toEqual(parsed);
        const legacy = parseConnectionUri(v.uri, { queryValues: "string" });
        expect(parseConnectionUri(buildConnectionUri(legacy), { queryValues: "string" })).toEqual(legacy);
      });
      if (v.roundtrip_asserted) {
        it(`${label(v)} → parse(get_uri(Connection(**asserted))) == asserted`, () => {
          const back = parseConnectionUri(buildConnectionUri(v.expected!));
          for (const f of v.asserted_fields ?? [])
            expect(back[f as keyof UriFields]).toEqual(v.expected![f as keyof UriFields]);
        });
      }
    }
  });

  describe("direction build: fields → uri", () => {
    for (const v of buildVectors) {
      it(`${label(v)} ← get_uri()`, () => {
        expect(buildConnectionUri(v.expected!)).toBe(v.uri);
        if (v.roundtrip_uri !== undefined) expect(buildConnectionUri(v.expected!)).toBe(v.roundtrip_uri);
      });
      it(`${label(v)} → parsed back (both typings)`, () => {
        expect(v.parsed_back).toBeDefined();
        expect(parseConnectionUri(v.uri)).toEqual(v.parsed_back);
        expect(parseConnectionUri(v.uri, { queryValues: "string" })).toEqual(v.parsed_back);
        // Missing fields are the same as null.
        const sparse = Object.fromEntries(
          Object.entries(v.expected!).filter(([, x]) => x !== null),
        ) as Partial<UriFields>;
        expect(buildConnectionUri(sparse)).toBe(v.uri);
      });
    }
  });
});

describe("Python urllib.parse specifics", () => {
  it("quote(safe='') escapes ! ' ( ) * and keeps ~ (unlike encodeURIComponent)", () => {
    expect(quote("!'()*~", "")).toBe("%21%27%28%29%2A~");
    expect(quote("password/!@#$%^&*(){}", "")).toBe("password%2F%21%40%23%24%25%5E%26%2A%28%29%7B%7D");
    expect(quote("AZaz09_.-~", "")).toBe("AZaz09_.-~");
    expect(quote("a b/c", "")).toBe("a%20b%2Fc");
    expect(quote("a/b")).toBe("a/b"); // default safe="/"
    expect(quote("é€😀", "")).toBe("%C3%A9%E2%82%AC%F0%9F%98%80");
  });

  it("urlencode / quote_plus: space → '+', '*' escaped, '~' kept", () => {
    expect(quotePlus("other val*")).toBe("other+val%2A");
    expect(
      urlencode([
        ["this_param", "some val"],
        ["that_param", "other val*"],
      ]),
    ).toBe("this_param=some+val&that_param=other+val%2A");
    expect(urlencode([["k~", "a+b&c=d"]])).toBe("k~=a%2Bb%26c%3Dd");
  });

  it("docs example: the code writes '/?' when there is no schema", () => {
    expect(
      buildConnectionUri({
        conn_type: "mysql",
        login: "myname",
        password: "mypassword",
        host: "myhost.com",
        extra: '{"this_param": "some val", "that_param": "other val*"}',
      }),
    ).toBe("mysql://myname:mypassword@myhost.com/?this_param=some+val&that_param=other+val%2A");
  });

  it("unquote: UTF-8 with replacement, bad escapes kept, non-ASCII runs decoded separately", () => {
    expect(unquote("a%20b%2fc")).toBe("a b/c");
    expect(unquote("%C3%A9")).toBe("é");
    expect(unquote("%zz%4")).toBe("%zz%4");
    expect(unquote("%C3")).toBe("\ufffd");
    expect(unquote("%C3é%A9")).toBe("\ufffdé\ufffd");
    expect(unquote("%EF%BB%BFx")).toBe("\ufeffx"); // a BOM is kept
    expect(unquote("%F0%80%80")).toBe("\ufffd\ufffd\ufffd");
    expect(unquotePlus("a+b%2B")).toBe("a b+");
  });

  it("parse_qsl(keep_blank_values=True)", () => {
    expect(parseQsl("a=1&&b&c=&d=x=y&a=2", true)).toEqual([
      ["a", "1"],
      ["b", ""],
      ["c", ""],
      ["d", "x=y"],
      ["a", "2"],
    ]);
    expect(parseQsl("a=1&b&c=", false)).toEqual([["a", "1"]]);
    expect(parseQsl("k+1=v+1%2B", true)).toEqual([["k 1", "v 1+"]]);
    expect(parseQsl("a=1;b=2", true)).toEqual([["a", "1;b=2"]]);
  });

  it("urlsplit: hostname lower-cased up to a '%', brackets stripped, port errors", () => {
    const s = urlsplit("Scheme://User:Pa:ss@HOST%41X:0080/p?q#f");
    expect([s.scheme, s.netloc, s.path, s.query, s.fragment]).toEqual([
      "scheme",
      "User:Pa:ss@HOST%41X:0080",
      "/p",
      "q",
      "f",
    ]);
    expect([s.username, s.password, s.hostname, s.port]).toEqual(["User", "Pa:ss", "host%41X", 80]);
    expect(urlsplit("//[FE80::1%Eth0]:1/").hostname).toBe("fe80::1%Eth0");
    expect(urlsplit("//@:5").username).toBe("");
    expect(urlsplit("//h:").port).toBeNull();
    expect(() => urlsplit("//a:b").port).toThrow("Port could not be cast to integer value as 'b'");
    expect(() => urlsplit("//a:65536").port).toThrow("Port out of range 0-65535");
    expect(() => urlsplit("//a[b")).toThrow("Invalid IPv6 URL");
    expect(() => urlsplit("//[1.2.3.4]")).toThrow("An IPv4 address cannot be in brackets");
    expect(() => urlsplit("//[zz]")).toThrow("does not appear to be an IPv4 or IPv6 address");
    expect(urlsplit("  \t//a\nb/c").netloc).toBe("ab");
    expect(urlsplit("1a://x").scheme).toBe("");
  });
});

describe("parse rules (§5.1)", () => {
  const p = (uri: string, queryValues?: QueryTyping) => parseConnectionUri(uri, { queryValues });

  it("normaliseConnType", () => {
    expect(normaliseConnType("postgresql")).toBe("postgres");
    expect(normaliseConnType("PostgreSQL")).toBe("postgres");
    expect(normaliseConnType("Google-Cloud-Platform")).toBe("google_cloud_platform");
    expect(normaliseConnType("my_type")).toBe("my_type");
  });

  it("more than two '://' is invalid; protocol part may not hold '@' or ':'", () => {
    expect(expectUsageError(() => p("a://b://c://d")).message).toBe(
      'Invalid connection string: "://" appears 3 times (at most twice: <conn-type>://<protocol>://<host>...).',
    );
    expect(expectUsageError(() => p("a://u:p@b://c")).message).toBe(
      'Invalid connection string: the part before the second "://" (the protocol of the host) contains "@" or ":".',
    );
  });

  it("str.replace removes every '<scheme>://'", () => {
    // Both "type://" go, leaving "host/path?x=y" (no authority): host "", schema from the path.
    expect(p("type://host/path?x=type://y", "string")).toMatchObject({
      conn_type: "type",
      host: "",
      schema: "ost/path",
      extra: '{"x": "y"}',
    });
  });

  it("host is lower-cased unless the decoded host holds '/'; case of an upper-case scheme", () => {
    expect(p("t://MyHost").host).toBe("myhost");
    expect(p("t://MyHost%20X").host).toBe("myhost X"); // only the part before the first '%' is lower-cased
    expect(p("t://My%2FHost").host).toBe("My/Host");
    expect(p("MySQL://User@Host")).toMatchObject({ conn_type: "mysql", login: "User", host: "host" });
  });

  it("empty vs missing login and password", () => {
    expect(p("t://h")).toMatchObject({ login: null, password: null });
    expect(p("t://@h")).toMatchObject({ login: "", password: null });
    expect(p("t://:pw@h")).toMatchObject({ login: "", password: "pw" });
    expect(p("t://user:@h")).toMatchObject({ login: "user", password: null }); // models.Connection drops ""
    expect(p("t://@:1234")).toMatchObject({ login: "", host: "", port: 1234 });
  });

  it("ports", () => {
    expect(p("t://h:0").port).toBe(0);
    expect(p("t://h:").port).toBeNull();
    // 'u:PWsecret' is read as host:port: the message never shows the port text, which is the password's start.
    const e = expectUsageError(() => p("t://u:PWsecret/ss@h:1/s"));
    expect(e.message).toBe("Invalid connection URI: the port is not a number (digits only).");
    expect(`${e.message} ${e.hint}`).not.toContain("PWsecret");
    const r = expectUsageError(() => p("t://u:99999/ss@h:1/s"));
    expect(r.message).toBe("Invalid connection URI: the port is out of range 0-65535.");
    expect(`${r.message} ${r.hint}`).not.toContain("99999");
    expectUsageError(() => p("t://h:１２"));
  });

  it("query: last duplicate wins in first position, '+' is a space, blanks kept, __extra__ wins", () => {
    expect(p("t://h?a=1&b=x+y&a=2&c", "string").extra).toBe('{"a": "2", "b": "x y", "c": ""}');
    expect(p("t://h?a=1&__extra__=%7B%22k%22%3A1%7D").extra).toBe('{"k":1}');
    expect(p("t://h?__extra__=").extra).toBeNull();
    expect(p("t://h?&").extra).toBe("{}");
    expect(p("t://h?").extra).toBeNull();
    expectUsageError(() => p("t://h?__extra__=%5B1%5D"));
    expectUsageError(() => p("t://h?__extra__=nope"));
  });

  it("json typing decodes what json.loads accepts, keeps the rest", () => {
    const q = "a=123&b=true&c=null&d=1.5&e=%5B1%2C2%5D&f=NaN&g=1e400&h=+7+&i=%22s%22&j=01&k=tru&l=-0&m=1.0";
    expect(p(`t://h?${q}`, "json").extra).toBe(
      '{"a": 123, "b": true, "c": null, "d": 1.5, "e": [1, 2], "f": NaN, "g": Infinity, "h": 7, "i": "s", "j": "01", "k": "tru", "l": 0, "m": 1.0}',
    );
    expect(p(`t://h?${q}`, "string").extra).toBe(
      '{"a": "123", "b": "true", "c": "null", "d": "1.5", "e": "[1,2]", "f": "NaN", "g": "1e400", "h": " 7 ", "i": "\\"s\\"", "j": "01", "k": "tru", "l": "-0", "m": "1.0"}',
    );
  });

  it("path[1:] drops one code point, not one UTF-16 unit", () => {
    // "postgresql://" is replaced by "" (two '://' = protocol mode), leaving "😀://": no scheme, path "😀://".
    expect(p("postgresql://😀://").schema).toBe("://");
  });

  it("protocol in host", () => {
    expect(p("t://proto://u:p@Host:5/s")).toMatchObject({
      host: "proto://host",
      login: "u",
      password: "p",
      port: 5,
      schema: "s",
    });
    expect(p("t://proto://")).toMatchObject({ host: "" }); // no host: the protocol is dropped
  });

  it("no connection type", () => {
    expectUsageError(() => p("invalid_uri"));
    expectUsageError(() => p("://a@b"));
    expectUsageError(() => p(""));
    expect(p("//abc")).toMatchObject({ conn_type: "", host: "abc" });
  });

  it("rejects bad options and non-strings with UsageError", () => {
    expectUsageError(() => parseConnectionUri("t://h", { queryValues: "xml" as QueryTyping }));
    expectUsageError(() => parseConnectionUri(42 as unknown as string));
  });

  it("messages stay on one line", () => {
    expect(expectUsageError(() => p("a://b://c://d\ne")).message).not.toContain("\n");
  });
});

describe("build rules (§5.2)", () => {
  const b = buildConnectionUri;
  it("scheme, '//' without type, '_' → '-'", () => {
    expect(b({})).toBe("//");
    expect(b({ conn_type: "My_Type", host: "h" })).toBe("my-type://h");
    expect(b({ conn_type: "", host: "h" })).toBe("//h");
  });
  it("user-info and '@' rules, '@:PORT', port 0 dropped", () => {
    expect(b({ conn_type: "t", login: "" })).toBe("t://");
    expect(b({ conn_type: "t", login: "", password: "" })).toBe("t://:@");
    expect(b({ conn_type: "t", password: "p w" })).toBe("t://:p%20w@");
    expect(b({ conn_type: "t", port: 1234 })).toBe("t://@:1234");
    expect(b({ conn_type: "t", login: "u", port: 1234 })).toBe("t://u@:1234");
    expect(b({ conn_type: "t", host: "h", port: 0 })).toBe("t://h");
  });
  it("host, schema, query introducer", () => {
    expect(b({ conn_type: "t", host: "h/l:x@y", schema: "a/b" })).toBe("t://h%2Fl%3Ax%40y/a%2Fb");
    expect(b({ conn_type: "t", host: "h", extra: '{"a": "b"}' })).toBe("t://h/?a=b");
    expect(b({ conn_type: "t", host: "h", schema: "s", extra: '{"a": "b"}' })).toBe("t://h/s?a=b");
    expect(b({ conn_type: "t", extra: "" })).toBe("t://");
  });
  it("__extra__ for non-string values, nesting and the empty object; the stored text verbatim", () => {
    expect(b({ conn_type: "t", extra: '{"a":1}' })).toBe("t:///?__extra__=%7B%22a%22%3A1%7D");
    expect(b({ conn_type: "t", extra: "{}" })).toBe("t:///?__extra__=%7B%7D");
    expect(b({ conn_type: "t", extra: '{"a": {"b": "c"}}' })).toBe(
      "t:///?__extra__=%7B%22a%22%3A+%7B%22b%22%3A+%22c%22%7D%7D",
    );
    // All-string extras are written as params, re-encoded: spacing of the stored text does not matter.
    expect(b({ conn_type: "t", extra: '{"a":"1","a":"2"}' })).toBe("t:///?a=2");
  });
  it("protocol in host (PR #51953)", () => {
    expect(b({ conn_type: "http", host: "http://h" })).toBe("http://http%3A%2F%2Fh");
    expect(b({ conn_type: "spark", host: "k8s://h", login: "u" })).toBe("spark://k8s://u@h");
  });
  it("invalid fields raise UsageError", () => {
    expectUsageError(() => b({ conn_type: "t", port: 1.5 }));
    expectUsageError(() => b({ conn_type: "t", port: 70000 }));
    expectUsageError(() => b({ conn_type: "t", port: -1 }));
    expectUsageError(() => b({ conn_type: "t", extra: "[1]" }));
    expectUsageError(() => b({ conn_type: "t", extra: "{bad" }));
    expectUsageError(() => b({ conn_type: "t", login: "\ud800" }));
    expectUsageError(() => b({ conn_type: "t", extra: '{"a": "\\ud800"}' }));
    expectUsageError(() => b({ conn_type: 5 as unknown as string }));
    expectUsageError(() => b(null as unknown as Partial<UriFields>));
  });
});
