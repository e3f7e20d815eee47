// Issue 19: the pieces that keep hostile input bounded (read-limited.ts, the YAML and JSON nesting and alias checks)
// and the token check. The end-to-end cases are in test/e2e/hostile-input.test.ts.
import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../src/errors.js";
import {
  DEFAULT_MAX_INPUT_BYTES,
  InputTooLargeError,
  maxInputBytes,
  readFileLimited,
  readStreamLimited,
  secretStdinLimit,
} from "../../src/util/read-limited.js";
import { checkToken, FixedTokenSource, RefreshingTokenSource, tokenProblem } from "../../src/api/token.js";
import { parseYamlTree, yamlFlowTooDeepAt, YAML_ALIAS_ALLOWANCE } from "../../src/files/tree.js";
import { jsonTooDeepAt } from "../../src/util/pyjson.js";
import { parseJsonText, parseYamlText, readInput } from "../../src/bulk/load.js";
import { testIO } from "../../src/output/io.js";
import { tempDir } from "../support/cli.js";
import { scanRun, secretsOfRun, uriPasswordPieces } from "../support/secrets.js";

const thrown = async (f: () => Promise<unknown>): Promise<Error> => {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
};
const thrownSync = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
};

describe("reading under a limit", () => {
  it("stops an endless stream at the limit, having read no more than one chunk past it", async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024, 97));
      },
    });
    const e = await thrown(() => readStreamLimited(endless, { maxBytes: 10 * 1024, what: "stdin" }));
    expect(e).toBeInstanceOf(InputTooLargeError);
    expect(e.message).toBe("stdin is larger than the 10 KiB airconn reads");
    expect(pulled).toBeLessThan(32); // the stream's own read-ahead, not the whole input
    expect(endless.destroyed).toBe(true);
  });

  it("returns everything up to the limit, and runs the check on each chunk", async () => {
    const chunks: number[] = [];
    const buf = await readStreamLimited([Buffer.from("ab"), "cd"], {
      maxBytes: 4,
      check: (c) => chunks.push(c.length),
    });
    expect(buf.toString()).toBe("abcd");
    expect(chunks).toEqual([2, 2]);
    const bad = await thrown(() =>
      readStreamLimited([Buffer.from("ab"), Buffer.from([0])], {
        maxBytes: 9,
        check: (c) => {
          if (c.includes(0)) throw new UsageError("binary");
        },
      }),
    );
    expect(bad.message).toBe("binary");
  });

  it("/dev/zero: a device of size 0 is read chunk by chunk and stopped", async () => {
    const e = await thrown(() => readFileLimited("/dev/zero", { maxBytes: 3 * 1024 * 1024, what: "/dev/zero" }));
    expect(e.message).toBe("/dev/zero is larger than the 3 MiB airconn reads");
  });

  it("a regular file over the limit is refused before reading, with its size; a directory has the code EISDIR", async () => {
    const d = tempDir();
    try {
      const f = join(d.dir, "f.json");
      writeFileSync(f, "x".repeat(3000));
      expect((await thrown(() => readFileLimited(f, { maxBytes: 2048, what: "f.json" }))).message).toBe(
        "f.json is 3 KiB: larger than the 2 KiB airconn reads",
      );
      expect((await readFileLimited(f, { maxBytes: 3000 })).length).toBe(3000);
      expect(((await thrown(() => readFileLimited(d.dir, { maxBytes: 10 }))) as NodeJS.ErrnoException).code).toBe(
        "EISDIR",
      );
    } finally {
      d.cleanup();
    }
  });

  it("AIRCONN_MAX_INPUT_BYTES: bytes or K/M/G (binary), between 1 byte and 512 MiB", () => {
    expect(maxInputBytes({})).toBe(DEFAULT_MAX_INPUT_BYTES);
    expect(maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: "" })).toBe(DEFAULT_MAX_INPUT_BYTES);
    expect(maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: "1000" })).toBe(1000);
    expect(maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: "64M" })).toBe(64 * 1024 * 1024);
    expect(maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: "2 KiB" })).toBe(2048);
    expect(maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: "512MiB" })).toBe(512 * 1024 * 1024);
    for (const bad of ["0", "1G", "-5", "ten", "1.5M"]) {
      expect(() => maxInputBytes({ AIRCONN_MAX_INPUT_BYTES: bad })).toThrow(UsageError);
    }
  });

  it("readInput: stdin under the limit from the environment; secrets read from stdin stop at 1 MiB", async () => {
    const io = testIO({ stdin: "x".repeat(5000) });
    const e = await thrown(() => readInput("-", io, "bulk file", { AIRCONN_MAX_INPUT_BYTES: "4K" }));
    expect(e.message).toBe("stdin is larger than the 4 KiB airconn reads");
    expect((e as UsageError).hint).toBe("set AIRCONN_MAX_INPUT_BYTES to read more (now 4096 bytes; at most 512 MiB)");
    expect((await readInput("-", io, "bulk file", {})).text.length).toBe(5000);
    const secret = await thrown(() =>
      testIO({ stdin: "p".repeat(1024 * 1024 + 1) }).readStdin({ what: "standard input (--password-stdin)" }),
    );
    expect(secret.message).toBe("standard input (--password-stdin) is larger than the 1 MiB airconn reads");
    expect(await testIO({ stdin: "p".repeat(1024 * 1024) }).readStdin()).toHaveLength(1024 * 1024);
    expect(secretStdinLimit().maxBytes).toBe(1024 * 1024);
  });
});

describe("tokens a header cannot carry", () => {
  it("names the problem and its place, never the token", () => {
    expect(tokenProblem("abc.def.ghi")).toBeUndefined();
    expect(tokenProblem("  abc.def\n")).toBeUndefined(); // surrounding whitespace: the header drops it
    expect(tokenProblem("abc\ndef")).toBe("a line break at character 4");
    expect(tokenProblem("abc\rdef")).toBe("a line break at character 4");
    expect(tokenProblem("ab\0c")).toBe("a NUL character at character 3");
    expect(tokenProblem("ab\tc")).toBe("a control character at character 3");
    expect(tokenProblem("ab\x85c")).toBe("a control character at character 3");
    expect(tokenProblem("ab\u20acc")).toBe("a character an HTTP header cannot carry (outside Latin-1) at character 3");
    expect(tokenProblem("caf\xe9")).toBeUndefined(); // Latin-1 goes out as one byte
    const e = thrownSync(() => checkToken("secret-part-1\nsecret-part-2", "the token from AIRCONN_TOKEN"));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe("the token from AIRCONN_TOKEN contains a line break at character 14");
    expect(`${e.message} ${(e as UsageError).hint}`).not.toContain("secret-part");
    expect(checkToken(" tok \n")).toBe("tok");
  });

  it("every token source checks what it hands out, before any request", async () => {
    await expect(new FixedTokenSource("a\nb", "the token from --token").get()).rejects.toThrow(
      "the token from --token contains a line break at character 2",
    );
    await expect(new FixedTokenSource("tok\n").get()).resolves.toBe("tok");
    const src = new RefreshingTokenSource(async () => "x\u2028y", 'the token command of profile "p"');
    await expect(src.get()).rejects.toThrow(
      'the token from the token command of profile "p" contains a character an HTTP header cannot carry (outside Latin-1) at character 2',
    );
  });
});

describe("nesting and alias limits", () => {
  it("jsonTooDeepAt: the offset of the first bracket past the limit; brackets in strings do not count", () => {
    expect(jsonTooDeepAt("[[[]]]", 3)).toBe(-1);
    expect(jsonTooDeepAt("[[[[]]]]", 3)).toBe(3);
    expect(jsonTooDeepAt('["[[[[\\"[[[", [[]]]', 3)).toBe(-1);
    expect(jsonTooDeepAt('{"a": {"b": {"c": {}}}}', 3)).toBe(18);
  });

  it("bulk JSON nested deeper than 500 is refused with its line and column", () => {
    const deep = '{\n"actions": ' + "[".repeat(600) + "]".repeat(600) + "}";
    expect(thrownSync(() => parseJsonText(deep, "b.json")).message).toBe(
      "b.json: invalid JSON at line 2 column 511: Nesting too deep (more than 500 levels)",
    );
    expect(parseJsonText("[".repeat(500) + "]".repeat(500), "b.json")).toBeInstanceOf(Array);
  });

  it("yamlFlowTooDeepAt: flow brackets only where a node starts; quoted text and comments skipped", () => {
    expect(yamlFlowTooDeepAt("a: " + "[".repeat(4) + "]".repeat(4), 3)).toBe(6);
    expect(yamlFlowTooDeepAt("a: &x !!seq " + "[".repeat(4), 3)).toBe(15);
    expect(yamlFlowTooDeepAt("- " + "{a: ".repeat(4), 3)).toBe(14);
    expect(yamlFlowTooDeepAt("password: a" + "[".repeat(900), 3)).toBe(-1); // inside a plain value
    expect(yamlFlowTooDeepAt('a: "' + "[".repeat(900) + '"', 3)).toBe(-1);
    expect(yamlFlowTooDeepAt("a: ['" + "[".repeat(900) + '\', "[[[[\\"[["]', 3)).toBe(-1);
    expect(yamlFlowTooDeepAt("# " + "[".repeat(900) + "\na: 1", 3)).toBe(-1);
    expect(yamlFlowTooDeepAt("a: x #" + "[".repeat(900), 3)).toBe(-1);
  });

  it("parseYamlTree: aliases may add 16 MiB (or 4 times the text); more is refused at the alias that goes past it", () => {
    const big = "x".repeat(1024 * 1024);
    const uses = (n: number) => `a: &a ${big}\n` + Array.from({ length: n }, (_, i) => `b${i}: *a`).join("\n") + "\n";
    expect(parseYamlTree(uses(10), { version: "1.1" })?.kind).toBe("map");
    const e = thrownSync(() => parseYamlTree(uses(20), { version: "1.1" }));
    expect(e.message).toMatch(
      /^invalid YAML: aliases expand the document by more than 16 MiB .*the alias \*a here goes past it$/,
    );
    // Each alias adds 1 MiB and a little: the 16th goes past 16 MiB (line 1 holds the anchor).
    expect((e as unknown as { line: number }).line).toBe(YAML_ALIAS_ALLOWANCE / (1024 * 1024) + 1);
  });

  it("nested aliases are measured once each (a billion laughs is refused in milliseconds)", () => {
    const levels = ["l0: &l0 [" + Array(10).fill('"lol"').join(", ") + "]"];
    for (let k = 1; k < 12; k++)
      levels.push(
        `l${k}: &l${k} [${Array(10)
          .fill(`*l${k - 1}`)
          .join(", ")}]`,
      );
    const started = performance.now();
    expect(thrownSync(() => parseYamlTree(levels.join("\n") + "\n", { version: "1.2" })).message).toMatch(
      /aliases expand the document by more than 16 MiB/,
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("recursive aliases, and nesting deeper than 500 through aliases", async () => {
    expect(thrownSync(() => parseYamlTree("a: &a [1, *a]\n", { version: "1.2" })).message).toBe(
      "invalid YAML: the alias *a is inside its own anchor (a recursive structure)",
    );
    const chain =
      ["l0: &l0 [x]", ...Array.from({ length: 600 }, (_, i) => `l${i + 1}: &l${i + 1} [*l${i}]`)].join("\n") + "\n";
    expect(thrownSync(() => parseYamlTree(chain, { version: "1.2" })).message).toBe(
      "invalid YAML: Nesting too deep (more than 500 levels, with aliases expanded)",
    );
    expect((await thrown(() => parseYamlText(chain, "b.yaml"))).message).toMatch(
      /^b\.yaml: invalid YAML at line \d+ column \d+: Nesting too deep \(more than 500 levels, with aliases expanded\)$/,
    );
  });

  it("merge keys and ordinary aliases still read as before", async () => {
    const t = parseYamlTree("d: &d {conn_type: http, host: h}\nc1: {<<: *d, port: 1}\nc2: *d\n", { version: "1.1" });
    expect(t?.kind === "map" && t.entries.map((e) => e.key)).toEqual(["d", "c1", "c2"]);
    const c1 = t?.kind === "map" ? t.entries[1]!.value : undefined;
    expect(c1?.kind === "map" && c1.entries.map((e) => e.key)).toEqual(["port", "conn_type", "host"]);
    expect(await parseYamlText("a: &a [1, 2]\nb: *a\n", "x.yaml")).toEqual({ a: [1, 2], b: [1, 2] });
  });
});

describe("the secret scan of the e2e runs sees fragments (test/support/secrets.ts)", () => {
  it("each line of a token with a line break, its JWT signature, the pieces of a --uri password, a --json password", () => {
    const sig = "S".repeat(20);
    const found = (args: string[], env: Record<string, string> = {}) => secretsOfRun(args, env).map((s) => s.value);
    const token = `aaaaaa.bbbbbbbbbb\n.${sig}`;
    expect(found([], { AIRCONN_TOKEN: token })).toEqual(
      expect.arrayContaining([token, sig, "aaaaaa.bbbbbbbbbb", `.${sig}`]),
    );
    expect(found(["create", "x", "--uri", "postgres://bob:PWSECRET-bad/777@db.example.com:5432/x"])).toEqual(
      expect.arrayContaining(["PWSECRET-bad/777", "PWSECRET-bad"]),
    );
    expect(uriPasswordPieces("postgres://bob:pa%2Fss:wordword@h/x")).toEqual(
      expect.arrayContaining(["pa%2Fss:wordword", "pa/ss:wordword", "wordword"]),
    );
    expect(uriPasswordPieces("postgres://bob@h/x")).toEqual([]);
    expect(found(["create", "x", "--json", '{"conn_type": "http", "password": "json-secret"}'])).toContain(
      "json-secret",
    );
  });

  it("the log names the command, never the value of --token before it", () => {
    const d = tempDir();
    const before = process.env.AIRCONN_SECRET_SCAN_LOG;
    process.env.AIRCONN_SECRET_SCAN_LOG = join(d.dir, "scan.log");
    try {
      expect(scanRun(["--token", "tok-value-123", "get", "x"], {}, undefined, { stderr: "" })).toBeUndefined();
      expect(readFileSync(join(d.dir, "scan.log"), "utf8")).toContain('"command":"get"');
      expect(
        scanRun(["--token", "tok-value-123", "get", "x"], {}, undefined, { stderr: "bad tok-value-123" })?.message,
      ).toBe("secret scan: airconn get printed the --token on stderr");
    } finally {
      if (before === undefined) delete process.env.AIRCONN_SECRET_SCAN_LOG;
      else process.env.AIRCONN_SECRET_SCAN_LOG = before;
      d.cleanup();
    }
  });
});
