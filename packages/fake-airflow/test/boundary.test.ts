// The package stands on its own: nothing in it imports from outside packages/fake-airflow/ (airconn's src/ in
// particular), so a mistake in the CLI cannot be hidden by the same code answering on the server's side.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === "node_modules"
        ? []
        : tsFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

describe("package boundary", () => {
  it("every relative import stays inside the package", () => {
    const outside: string[] = [];
    const files = tsFiles(root);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
        const spec = m[1]!;
        if (!spec.startsWith(".")) continue;
        const target = relative(root, resolve(dirname(file), spec));
        if (target.startsWith("..")) outside.push(`${relative(root, file)}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
