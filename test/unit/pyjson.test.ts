// Python's json.loads (src/util/pyjson.ts): its semantics, Python's error wording with the character offset, one
// nesting limit. The file readers' document tree and its fast path are tested in json-tree.test.ts.
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parsePyJson, PyFloat, PyJsonError, pyDumps, pyLoads } from "../../src/util/pyjson.js";
import { parseJsonTree, SyntaxProblem } from "../../src/files/json-tree.js";

describe("pyLoads (json.loads)", () => {
  it("keeps Python's number forms and the last of repeated keys in the first key's place", () => {
    expect(pyDumps(pyLoads('{"a": 1.0, "b": 1e3, "c": 12345678901234567890, "a": -0}'))).toBe(
      '{"a": 0, "b": 1000.0, "c": 12345678901234567890}',
    );
    expect(pyLoads("[NaN, -Infinity]")).toEqual([new PyFloat(NaN), new PyFloat(-Infinity)]);
    expect([...(pyLoads('{"2": 1, "1": 2}') as Map<string, unknown>).keys()]).toEqual(["2", "1"]); // key order as written
  });

  it("errors name Python's problem and the character offset", () => {
    const err = (t: string) => {
      try {
        pyLoads(t);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(err('{"a" 1}')).toEqual(new PyJsonError("Expecting ':' delimiter at char 5", 5));
    expect((err('  "abc') as PyJsonError).message).toBe("Unterminated string starting at char 2");
    expect((err("[1] x") as PyJsonError).message).toBe("Extra data at char 4");
  });

  it("parsePyJson: the values json.loads gives, a syntax error with its line and column (for a config file's message)", () => {
    expect(parsePyJson('{"a": [1, 2.0], "a": null}')).toEqual(pyLoads('{"a": [1, 2.0], "a": null}'));
    const err = (() => {
      try {
        parsePyJson('{\n  "a": 1,\n  "b": }');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toEqual(new SyntaxProblem("Expecting value", 3, 8, 19));
  });

  it("has the same nesting limit as the file reader", () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(() => pyLoads(deep(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => pyLoads(deep(MAX_JSON_DEPTH + 1))).toThrow(/^Nesting too deep at char 500$/);
    expect(() => parseJsonTree(deep(MAX_JSON_DEPTH + 1))).toThrow(SyntaxProblem);
    expect(() => pyLoads(deep(100_000))).toThrow(PyJsonError); // never a stack overflow
  });
});
