// Two builds of airconn side by side (issue 21's "no slower" check): start-up (`--version`, `--help`, completion) and
// the read commands (`get`, `list`) against the local server, interleaved round-robin, without NODE_EXTRA_CA_CERTS on
// either side, plus the requests each read command sends (the catalog must add none to `list` and `get`).
// Usage: node bench/paired-builds.mjs OLD_BIN [RUNS]   (OLD_BIN: bin/airconn of another checkout, built)
import { loadavg } from "node:os";
import { join } from "node:path";
import { NODE, ROOT, benchEnv, fmtStat, interleave, runOnce, startFake } from "./lib/util.mjs";

const oldBin = process.argv[2];
if (!oldBin) {
  console.error("usage: node bench/paired-builds.mjs OLD_BIN [RUNS]");
  process.exit(2);
}
const runs = Number(process.argv[3] ?? 25);
const newBin = join(ROOT, "bin/airconn");
const fake = await startFake({ seed: 300, latencyMs: 0, record: true });
const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
delete env.NODE_EXTRA_CA_CERTS;

const cases = [
  ["--version", ["--version"]],
  ["--help", ["--help"]],
  ["__complete get conn_000", ["__complete", "get", "conn_000"]],
  ["get conn_00001 -o json", ["get", "conn_00001", "-o", "json"]],
  ["list -o json (300)", ["list", "-o", "json"]],
];

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(" ");
console.log(`paired: ${runs} runs each, old ${oldBin}, new ${newBin}, load ${load}`);
const out = [];
for (const [name, args] of cases) {
  // node -e 0 runs in every group: the floor both builds stand on
  const group = [
    { name: `old ${name}`, cmd: NODE, args: [oldBin, ...args], env },
    { name: `new ${name}`, cmd: NODE, args: [newBin, ...args], env },
    { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
  ];
  const r = await interleave(group, { runs, warmup: 2 });
  const o = r[`old ${name}`];
  const n = r[`new ${name}`];
  out.push({ name, old: o, now: n, node: r["node -e 0"], ratio: n.median / o.median });
}
for (const x of out)
  console.log(
    `${x.name.padEnd(26)} old ${fmtStat(x.old)}  new ${fmtStat(x.now)}  new/old ${x.ratio.toFixed(2)}  node ${fmtStat(x.node)}`,
  );

// The requests one run of each read command sends, old and new build.
for (const [label, args] of [
  ["get", ["get", "conn_00001", "-o", "json"]],
  ["list", ["list", "-o", "json"]],
]) {
  for (const [side, bin] of [
    ["old", oldBin],
    ["new", newBin],
  ]) {
    const e = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
    await fake.reset(300);
    await fake.requests(); // read and cleared
    const r = await runOnce(NODE, [bin, ...args], { env: e });
    const reqs = (await fake.requests()).map((q) => `${q.method} ${q.path}`);
    const paths = [...new Set(reqs.map((q) => q.replace(/\?.*/, "")))];
    console.log(`${label} (${side}): exit ${r.code}, ${reqs.length} requests: ${paths.join(", ")}`);
  }
}
await fake.close();
