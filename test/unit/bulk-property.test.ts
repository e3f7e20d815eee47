// Fuzzing the bulk-file path (issue 8): parseStructured (JSON/YAML text) raises nothing but the project's own
// UsageError, with a one-line message; checkBulkBody never throws, whatever the document, and reports problems as
// path + message; a generated valid BulkBody written as JSON or YAML comes back as the same actions.
import fc from "fast-check";
import { stringify as yamlStringify } from "yaml";
import { describe, expect, it } from "vitest";
import type { ConnectionBody } from "../../src/api/types.js";
import { CONNECTION_ID_RE } from "../../src/connection/model.js";
import { UsageError } from "../../src/errors.js";
import { parseStructured } from "../../src/bulk/load.js";
import { checkBulkBody, MASK_FIELDS } from "../../src/bulk/validate.js";

const FUZZ_RUNS = 300;

async function parsedOrUsageError(
  text: string,
  format?: "json" | "yaml",
): Promise<{ doc?: unknown; error?: UsageError }> {
  try {
    return {
      doc: await parseStructured(text, format === "yaml" ? "f.yaml" : format === "json" ? "f.json" : "f", format),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw new Error(`not a UsageError for ${JSON.stringify(text)}: ${String(e)}`);
    expect(e.message).not.toContain("\n");
    return { error: e };
  }
}

describe("parseStructured: random text", () => {
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
    "-",
    "- ",
    "#",
    "&a",
    "*a",
    "<<",
    "!!binary",
    "!!set",
    "? ",
    "|",
    ">",
    "actions",
    "action",
    "create",
    "update",
    "delete",
    "entities",
    "connection_id",
    "conn_type",
    "update_mask",
    "action_on_existence",
    "\u0000",
    "\uFEFF",
    "\ud800",
    "é",
    "1e999",
    "NaN",
    "-Infinity",
    "0x1F",
    "null",
    "true",
    "\t",
    "\r\n",
    "---",
    "...",
  );
  const text = fc.array(fc.oneof(nasty, fc.string({ maxLength: 6 })), { maxLength: 40 }).map((a) => a.join(""));

  for (const format of ["json", "yaml", undefined] as const) {
    it(`${format ?? "detected"}: a value or a one-line UsageError`, async () => {
      await fc.assert(
        fc.asyncProperty(text, async (t) => {
          await parsedOrUsageError(t, format);
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }

  it("a JSON syntax error names a line and column", async () => {
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const { error } = await parsedOrUsageError(t, "json");
        if (error) expect(error.message).toMatch(/^f\.json: invalid JSON at line \d+ column \d+: \S/);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

// ---- documents near the BulkBody shape
const words = fc.constantFrom("create", "update", "delete", "upsert", "", "CREATE", "fail", "skip", "overwrite");
const keys = fc.constantFrom(
  "action",
  "entities",
  "action_on_existence",
  "action_on_non_existence",
  "update_mask",
  "actions",
  "connection_id",
  "conn_id",
  "conn_type",
  "host",
  "port",
  "extra",
  "password",
  "schema",
  "schema_",
  "team_name",
  "x",
);
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  words,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("a_b", "bad id!", "x/y", "{}", '{"a": 1}', "[1]", "8080", "-1", "99999", "c".repeat(201)),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(keys, tie("value"), { maxKeys: 5 }),
  ),
}));
const nearAction = fc.dictionary(
  keys,
  fc.oneof(value, words, fc.array(fc.oneof(leaf, fc.dictionary(keys, leaf, { maxKeys: 5 })), { maxLength: 4 })),
  { maxKeys: 5 },
);
const nearDoc = fc.oneof(
  value,
  fc.record({ actions: fc.oneof(value, fc.array(nearAction, { maxLength: 4 })) }),
  fc.dictionary(fc.constantFrom("actions", "x"), fc.array(nearAction, { maxLength: 3 }), { maxKeys: 2 }),
);

describe("checkBulkBody: random documents", () => {
  it("never throws; problems are path + message; without problems every action is well formed", () => {
    fc.assert(
      fc.property(nearDoc, (doc) => {
        const { actions, problems } = checkBulkBody(doc);
        for (const p of problems) {
          expect(typeof p.path).toBe("string");
          expect(typeof p.message).toBe("string");
          expect(p.message).not.toContain("\n");
        }
        if (problems.length) return;
        const seen = new Set<string>();
        for (const a of actions) {
          expect(["create", "update", "delete"]).toContain(a.action);
          for (const e of a.entities as Array<ConnectionBody | string>) {
            const id = typeof e === "string" ? e : e.connection_id;
            if (typeof e !== "string") {
              expect(id).toMatch(CONNECTION_ID_RE);
              expect(typeof e.conn_type).toBe("string");
              if (e.port !== undefined && e.port !== null)
                expect(Number.isInteger(e.port) && e.port >= 0 && e.port <= 65535).toBe(true);
            }
            expect(seen.has(id)).toBe(false); // each id once in a file
            seen.add(id);
          }
          if (a.action === "update" && a.update_mask) for (const m of a.update_mask) expect(MASK_FIELDS).toContain(m);
        }
      }),
      { numRuns: FUZZ_RUNS * 3 },
    );
  });

  it("through the parser: text of a random document gives actions, problems or a UsageError, nothing else", async () => {
    await fc.assert(
      fc.asyncProperty(nearDoc, fc.boolean(), async (doc, asYaml) => {
        const text = asYaml ? yamlStringify(doc) : (JSON.stringify(doc) ?? "null");
        const { doc: parsed } = await parsedOrUsageError(text, asYaml ? "yaml" : "json");
        if (parsed !== undefined) checkBulkBody(parsed);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

// ---- valid BulkBody documents round-trip
const idChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_.-é".split(""));
const connId = fc.array(idChar, { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
const optStr = fc.option(fc.string({ maxLength: 10 }), { nil: undefined });
const body = (id: string) =>
  fc
    .record({
      conn_type: fc.constantFrom("postgres", "http", "aws", ""),
      host: optStr,
      login: optStr,
      schema: optStr,
      description: optStr,
      port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      password: optStr,
    })
    .map((b) => {
      const out: Record<string, unknown> = { connection_id: id };
      for (const [k, v] of Object.entries(b)) if (v !== undefined) out[k] = v;
      return out as unknown as ConnectionBody;
    });
const validDoc = fc.uniqueArray(connId, { minLength: 1, maxLength: 12 }).chain((ids) => {
  const third = Math.ceil(ids.length / 3);
  const [c, u, d] = [ids.slice(0, third), ids.slice(third, 2 * third), ids.slice(2 * third)];
  return fc
    .record({
      create: fc.tuple(...c.map(body)),
      update: u.length ? fc.tuple(...u.map(body)) : fc.constant([] as ConnectionBody[]),
      mode: fc.constantFrom("fail", "skip", "overwrite"),
      mask: fc.option(fc.subarray(MASK_FIELDS, { minLength: 1 }), { nil: undefined }),
    })
    .map(({ create, update, mode, mask }) => ({
      actions: [
        { action: "create", action_on_existence: mode, entities: create },
        ...(update.length ? [{ action: "update", ...(mask ? { update_mask: mask } : {}), entities: update }] : []),
        ...(d.length ? [{ action: "delete", action_on_non_existence: "skip", entities: d }] : []),
      ],
    }));
});

describe("valid bulk files round-trip", () => {
  for (const fmt of ["json", "yaml"] as const) {
    it(`${fmt}: written, parsed and checked, the same actions come back`, async () => {
      await fc.assert(
        fc.asyncProperty(validDoc, async (doc) => {
          const text = fmt === "json" ? JSON.stringify(doc, null, 2) : yamlStringify(doc);
          const { actions, problems } = checkBulkBody(await parseStructured(text, `bulk.${fmt}`));
          expect(problems).toEqual([]);
          expect(actions.map((a) => a.action)).toEqual(doc.actions.map((a) => a.action));
          actions.forEach((a, i) => {
            const want = doc.actions[i]!;
            expect(a.entities).toEqual(want.entities);
            if (a.action === "create")
              expect(a.action_on_existence).toBe((want as { action_on_existence: string }).action_on_existence);
            if (a.action === "update") expect(a.update_mask).toEqual((want as { update_mask?: string[] }).update_mask);
          });
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }
});
