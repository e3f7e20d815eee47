// Issue 11: what `npm pack` ships. The tarball must hold every file bin/airconn loads, the completion scripts, README,
// LICENSE and CHANGELOG, and nothing test-only; the code may import only runtime dependencies and Node built-ins.
// (npm run smoke installs the tarball and runs it; this catches the same mistakes in `npm test`, in a second.)
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  license: string;
};

describe("npm pack", () => {
  // --ignore-scripts: packs the dist/ that `npm test`'s build just wrote
  const packed = (
    JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as { files: { path: string }[] }[]
  )[0]!.files.map((f) => f.path);

  it("ships every file the bin loads, the completions, the man page, README, LICENSE and CHANGELOG", () => {
    for (const bin of Object.values(pkg.bin)) {
      expect(packed).toContain(bin);
      const loads = [...readFileSync(join(ROOT, bin), "utf8").matchAll(/["']\.\.\/(dist\/[^"']+)["']/g)].map(
        (m) => m[1]!,
      );
      expect(loads.length).toBeGreaterThan(0);
      for (const f of loads) expect(packed).toContain(f);
    }
    for (const f of readdirSync(join(ROOT, "completions"))) expect(packed).toContain(`completions/${f}`);
    for (const f of ["README.md", "LICENSE", "CHANGELOG.md", "package.json", "airconn.1", "data/catalog.json"])
      expect(packed).toContain(f);
    // data/ holds the catalog's sources too (provider.yaml excerpts): only the generated catalog ships
    expect(packed.filter((p) => p.startsWith("data/"))).toEqual(["data/catalog.json"]);
  });

  it("ships nothing test-only, no sources and no standalone executable", () => {
    expect(
      packed.filter(
        (p) =>
          /^(test|bench|spec|scripts|src|\.ci|\.ci-node|coverage|node_modules)\//.test(p) ||
          /\.tgz$|airconn-linux/.test(p),
      ),
    ).toEqual([]);
  });

  it("LICENSE is the Apache License 2.0 that package.json names", () => {
    expect(pkg.license).toBe("Apache-2.0");
    const text = readFileSync(join(ROOT, "LICENSE"), "utf8");
    expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain("END OF TERMS AND CONDITIONS");
  });
});

describe("runtime imports", () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );

  it("the code imports only dependencies and Node built-ins (devDependencies are not installed with the package)", () => {
    const allowed = new Set([
      ...Object.keys(pkg.dependencies),
      ...builtinModules,
      ...builtinModules.map((m) => `node:${m}`),
      "node:sea",
    ]);
    const bad: string[] = [];
    for (const file of sources(join(ROOT, "src"))) {
      const text = readFileSync(file, "utf8");
      // import … from "x" (not `import type`), import("x"), require("x"), createRequire(…)("x")
      const specs = [
        ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/(?:\bimport|\brequire|\))\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
      ];
      for (const s of specs) {
        if (s.startsWith(".")) continue;
        const name = s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!;
        if (!allowed.has(name) && !allowed.has(s)) bad.push(`${file.slice(ROOT.length + 1)}: ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
