import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
// @ts-expect-error plain ESM helper without types
import { generateTypes, TARGET } from "../../scripts/types-source.mjs";
import { VERSION } from "../../src/version.js";

describe("generated API types", () => {
  it("match the official spec in spec/openapi-v2.yaml (run `npm run gen:types` when this fails)", async () => {
    const fresh: string = await generateTypes();
    expect(readFileSync(TARGET, "utf8") === fresh, `${TARGET} is stale: run npm run gen:types`).toBe(true);
  }, 60_000);
  it("the CLI's version is package.json's", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});
