// The server's own Python json: what Python's json.loads / json.dumps give for the same text (checked with CPython 3.11).
import { describe, expect, it } from "vitest";
import { PyJsonError, pyDumps, pyLoads, toJs } from "../src/pyjson.js";

const roundTrip = (text: string) => pyDumps(pyLoads(text));

describe("json.dumps(json.loads(text))", () => {
  it("writes Python's separators, keeps floats as floats and integers exact", () => {
    expect(roundTrip('{"b":1,"a":[1.0,2.50,1e16,1E15,1e-5,0.0001,-0.0,-0,12345678901234567890,1e400]}')).toBe(
      '{"b": 1, "a": [1.0, 2.5, 1e+16, 1000000000000000.0, 1e-05, 0.0001, -0.0, 0, 12345678901234567890, Infinity]}',
    );
    expect(roundTrip("[NaN, Infinity, -Infinity, 0.1, 0.30000000000000004, 5e-324, 123.456e-10]")).toBe(
      "[NaN, Infinity, -Infinity, 0.1, 0.30000000000000004, 5e-324, 1.23456e-08]",
    );
  });

  it("escapes everything outside printable ASCII (ensure_ascii), per UTF-16 unit", () => {
    expect(roundTrip('{"é": "☃😀\\u007f\\t\\"\\\\/\\b\\f\\u0001"}')).toBe(
      '{"\\u00e9": "\\u2603\\ud83d\\ude00\\u007f\\t\\"\\\\/\\b\\f\\u0001"}',
    );
  });

  it("a repeated key: the last value, in the first key's place; integer-like keys stay where they are", () => {
    expect(roundTrip('{"a": 1, "2": 2, "1": 3, "a": {"x": null, "y": true}}')).toBe(
      '{"a": {"x": null, "y": true}, "2": 2, "1": 3}',
    );
  });
});

describe("json.loads errors: msg and pos as Python's JSONDecodeError has them", () => {
  const error = (text: string) => {
    try {
      pyLoads(text);
    } catch (e) {
      if (e instanceof PyJsonError) return [e.msg, e.pos, e.message];
      throw e;
    }
    throw new Error(`parsed: ${text}`);
  };
  it.each([
    ["", "Expecting value", 0],
    ["  ", "Expecting value", 2],
    ['{"a" 1}', "Expecting ':' delimiter", 5],
    ["{1: 2}", "Expecting property name enclosed in double quotes", 1],
    ["[1 2]", "Expecting ',' delimiter", 3],
    ['{"a": 1}x', "Extra data", 8],
    ["01", "Extra data", 1],
    ["-", "Expecting value", 0],
  ])("%j", (text, msg, pos) => {
    expect(error(text)).toEqual([msg, pos, `${msg} at char ${pos}`]);
  });
});

describe("toJs", () => {
  it("gives what FastAPI hands on: numbers, plain objects in key order", () => {
    expect(toJs(pyLoads('{"n": 1, "f": 1.5, "l": [true, null, "s"], "o": {"k": -0}}'))).toEqual({
      n: 1,
      f: 1.5,
      l: [true, null, "s"],
      o: { k: 0 },
    });
  });
});
