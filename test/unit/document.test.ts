// Issue 11: the stdout document buffer: nothing is written before commit(), large documents move to a temporary
// file (mode 0600) that is always removed, and text survives the file round trip byte for byte.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { documentBuffer } from "../../src/output/document.js";
import { testIO } from "../../src/output/io.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "airconn-doc-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("documentBuffer", () => {
  it("in memory: writes nothing until commit, then the whole text", async () => {
    const io = testIO();
    const doc = documentBuffer(io, { dir });
    doc.add("[");
    doc.add("1,2");
    expect(io.stdout()).toBe("");
    doc.add("]\n");
    await doc.commit();
    expect(io.stdout()).toBe("[1,2]\n");
    expect(readdirSync(dir)).toEqual([]);
    doc.discard(); // harmless after commit
    expect(() => doc.add("x")).toThrow();
  });

  it("discard: nothing reaches stdout", async () => {
    const io = testIO();
    const doc = documentBuffer(io, { dir });
    doc.add("[1,");
    doc.discard();
    await expect(doc.commit()).rejects.toThrow(/already written or discarded/); // a commit after it writes nothing
    expect(io.stdout()).toBe("");
  });

  it("past the limit the text moves to a 0600 temporary file, written out whole by commit and then removed", async () => {
    const io = testIO();
    const doc = documentBuffer(io, { dir, spillChars: 10 });
    const parts = ["é".repeat(400_000), "→ ", "x".repeat(300_000), "🙂".repeat(200_000), "\n"]; // > 1 MiB: several reads, split characters
    doc.add(parts[0]!);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    for (const p of parts.slice(1)) doc.add(p);
    expect(io.stdout()).toBe("");
    await doc.commit();
    expect(io.stdout()).toBe(parts.join(""));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("discard after spilling removes the file and writes nothing", async () => {
    const io = testIO();
    const doc = documentBuffer(io, { dir, spillChars: 3 });
    doc.add("[1,2,3,");
    expect(readdirSync(dir)).toHaveLength(1);
    doc.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(io.stdout()).toBe("");
  });
});
