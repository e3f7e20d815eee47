import { join } from "node:path";
// Paired import benchmark for issue 13's target (import of 10,000 at 20 ms per request <= 1.3x one single bulk
// request), without NODE_EXTRA_CA_CERTS on either side. Usage: node bench/import-paired.mjs FILE [OLD_BIN]
// FILE: an `airflow connections export` JSON (bench/run.mjs section 4 writes one); OLD_BIN: another build's
// bin/airconn to compare with (e.g. a checkout of an older commit). RUNS=N sets the runs per case (default 9).
import { NODE, ROOT, benchEnv, interleave, startFake, fmtStat } from "./lib/util.mjs";
const file = process.argv[2];
const oldBin = process.argv[3];
if (!file) {
  console.error("usage: node bench/import-paired.mjs FILE [OLD_BIN]");
  process.exit(2);
}
const fake = await startFake({ seed: 0, latencyMs: 20, record: false });
const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
delete env.NODE_EXTRA_CA_CERTS;
const bl = join(ROOT, "bench/baselines/import-single-bulk.mjs");
const R = await interleave(
  [
    { name: "single bulk request", cmd: NODE, args: [bl, file], env },
    ...(oldBin ? [{ name: "airconn import (old build)", cmd: NODE, args: [oldBin, "import", file], env }] : []),
    { name: "airconn import (now)", cmd: NODE, args: [join(ROOT, "bin/airconn"), "import", file], env },
  ],
  { runs: Number(process.env.RUNS ?? 9), warmup: 1, before: () => fake.reset(0) },
);
for (const [k, s] of Object.entries(R)) console.log(k.padEnd(36), fmtStat(s));
const m = (k) => R[k].median;
console.log("ratio airconn/single", (m("airconn import (now)") / m("single bulk request")).toFixed(2));
if (oldBin)
  console.log("ratio old build/single", (m("airconn import (old build)") / m("single bulk request")).toFixed(2));
await fake.close?.();
process.exit(0);
