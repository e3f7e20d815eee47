#!/usr/bin/env node
// Regenerates src/api/generated/airflow.ts from the official Airflow 3.2 OpenAPI spec in spec/.
// `--check` exits 1 when the committed file is stale (the test suite runs the same check).
import { readFileSync, writeFileSync } from "node:fs";
import { generateTypes, TARGET } from "./types-source.mjs";

const current = (() => {
  try {
    return readFileSync(TARGET, "utf8");
  } catch {
    return "";
  }
})();
const fresh = await generateTypes();
if (process.argv.includes("--check")) {
  if (current !== fresh) {
    console.error(`${TARGET} is stale: run npm run gen:types`);
    process.exit(1);
  }
  console.error(`${TARGET} is up to date`);
} else {
  writeFileSync(TARGET, fresh);
  console.error(`wrote ${TARGET}`);
}
