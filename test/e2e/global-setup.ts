// Vitest global setup: starts an empty secret-scan log for this run; the teardown prints
// "secret scan: N runs, H hits" and fails the run when any end-to-end run printed one of its secrets.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readScanLog, SCAN_LOG_ENV } from "../support/secrets.js";

export default function setup(): () => void {
  const path = join(tmpdir(), `airconn-secret-scan-${process.pid}.log`);
  writeFileSync(path, "");
  process.env[SCAN_LOG_ENV] = path; // the test workers inherit it
  return () => {
    const { runs, hits, lines } = readScanLog(path);
    rmSync(path, { force: true });
    process.stdout.write(`\nsecret scan: ${runs} runs, ${hits} hits\n`);
    if (hits) {
      for (const l of lines) process.stdout.write(`  ${l}\n`);
      process.exitCode = 1;
      throw new Error(`secret scan: ${hits} secret${hits === 1 ? "" : "s"} found in the output of airconn (see above)`);
    }
  };
}
