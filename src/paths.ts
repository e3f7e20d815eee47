// Files of the installed package (package.json, completions/), found from this module's own location. It sits one
// folder below the package root however it runs: src/paths.ts (tests, tsx) or bundled into dist/*.mjs (the CLI).
export const packageFile = (relative: string): URL => new URL(`../${relative}`, import.meta.url);
