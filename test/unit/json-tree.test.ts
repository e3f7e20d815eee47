// The file readers' JSON document tree (src/files/json-tree.ts): lines of values and keys, and a JSON.parse fast path
// that must give exactly the tree the position-keeping parser (src/util/pyjson.ts) gives.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PyInt } from "../../src/util/pyjson.js";
import { fastJsonTree, parseJsonTree, SyntaxProblem, type TNode } from "../../src/files/json-tree.js";

/** A tree as plain objects: the fast path makes a container's children when they are read. */
const plain = (n: TNode): unknown => {
  if (n.kind === "map")
    return {
      kind: n.kind,
      line: n.line,
      entries: n.entries.map((e) => ({ key: e.key, line: e.line, value: plain(e.value) })),
    };
  if (n.kind === "seq") return { kind: n.kind, line: n.line, items: n.items.map(plain) };
  return { ...n };
};
const both = (text: string, opts: Parameters<typeof parseJsonTree>[1] = {}) => {
  let fast: unknown, slow: unknown;
  try {
    fast = plain(parseJsonTree(text, opts));
  } catch (e) {
    fast = e as Error;
  }
  try {
    slow = plain(parseJsonTree(text, { ...opts, fastPath: false }));
  } catch (e) {
    slow = e as Error;
  }
  return { fast, slow };
};

describe("parseJsonTree: the fast path gives the slow path's tree", () => {
  it("lines of values and keys in a pretty-printed file", () => {
    const text =
      '{\n  "a": {\n    "host": "h",\n    "port": 5432,\n    "extra": null\n  },\n  "b": [\n    true,\n    "x"\n  ]\n}';
    expect(fastJsonTree(text)).toBeDefined(); // taken by the fast path
    const { fast, slow } = both(text);
    expect(slow).not.toBeInstanceOf(Error);
    expect(fast).toEqual(slow);
    const t = parseJsonTree(text) as Extract<TNode, { kind: "map" }>;
    expect(t.entries.map((e) => [e.key, e.line, e.value.line])).toEqual([
      ["a", 2, 2],
      ["b", 7, 7],
    ]);
    const a = t.entries[0]!.value as Extract<TNode, { kind: "map" }>;
    expect(a.entries.map((e) => [e.key, e.line])).toEqual([
      ["host", 3],
      ["port", 4],
      ["extra", 5],
    ]);
  });

  it("falls back where JSON.parse reads differently: floats, big integers, integer-like keys, repeated keys", () => {
    for (const text of [
      '{"f": 1.0}',
      '{"e": 1e3}',
      '{"big": 9007199254740993}',
      '{"2": "b", "1": "a"}',
      '{"a": 1, "a": 2}',
      "[NaN]",
      '{"b": 1, "\\u0031": 2}',
    ]) {
      expect(fastJsonTree(text), text).toBeUndefined();
      const { fast, slow } = both(text);
      expect(slow instanceof Error, text).toBe(text === '{"a": 1, "a": 2}'); // a repeated key is an error in a file
      expect(fast, text).toEqual(slow);
    }
    expect(both('{"a": 1, "a": 2}').fast).toEqual(new SyntaxProblem('Duplicate key "a"', 1, 10, 9));
    expect(parseJsonTree('{"a": 1, "a": 2}', { duplicateKeys: "last" })).toMatchObject({
      entries: [{ key: "a", value: { value: new PyInt("2") } }],
    });
  });

  it("containers inside containers: each child's lines, however deep and wherever its siblings end", () => {
    const doc = { a: [1, { b: [[], {}, { c: null }], d: "x" }, [2, [3]]], e: {}, f: [{ g: { h: [true] } }], i: 1 };
    for (const indent of [0, 1, 2]) {
      const text = JSON.stringify(doc, null, indent);
      expect(fastJsonTree(text), text).toBeDefined();
      const { fast, slow } = both(text);
      expect(slow).not.toBeInstanceOf(Error);
      expect(fast).toEqual(slow);
    }
    // Read twice: the same children (they are made on each read).
    const t = parseJsonTree(JSON.stringify(doc, null, 2)) as Extract<TNode, { kind: "map" }>;
    expect(plain(t)).toEqual(plain(t));
    expect(t.entries.map((e) => [e.key, e.line])).toEqual([
      ["a", 2],
      ["e", 21],
      ["f", 22],
      ["i", 31],
    ]);
  });

  it("a fragment placed in its file keeps its line offset on both paths", () => {
    const { fast, slow } = both('{\n"k": "v"}', { lineOffset: 9, colOffset: 4 });
    expect(slow).not.toBeInstanceOf(Error);
    expect(fast).toEqual(slow);
    expect((parseJsonTree('{\n"k": "v"}', { lineOffset: 9 }) as Extract<TNode, { kind: "map" }>).entries[0]!.line).toBe(
      11,
    );
  });

  it("any JSON value, printed compactly or indented: identical trees (or identical errors)", () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("1", "10", "a\nb", "é", "__proto__", "toString"));
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(2 ** 53 + 1, -0, 1e21, 0.1),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 4 }),
      ),
    }));
    let fastTaken = 0;
    fc.assert(
      fc.property(value, fc.constantFrom(0, 2, 4), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        if (text === undefined) return;
        if (fastJsonTree(text)) fastTaken++;
        const { fast, slow } = both(text);
        expect(slow).not.toBeInstanceOf(Error);
        expect(fast).toEqual(slow);
      }),
      { numRuns: 400 },
    );
    expect(fastTaken).toBeGreaterThan(100); // both paths were compared, not only the fallback
  });

  it("broken text: the fast path never hides the slow path's error", () => {
    for (const text of ['{"a": 1,}', '{"a": "x\ty"}', "[1 2]", '{"a"', "", "tru", '{"a": 01}', "[1]]", '"\\x"']) {
      expect(fastJsonTree(text), text).toBeUndefined();
      const { fast, slow } = both(text);
      expect(fast, text).toBeInstanceOf(SyntaxProblem);
      expect(fast, text).toEqual(slow);
    }
  });
});
