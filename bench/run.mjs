#!/usr/bin/env node
// `npm run bench`: times airconn against its baselines on the local fake Airflow and rewrites BENCHMARKS.md.
// Not part of `npm test`. Every comparison runs both sides in the same environment, interleaved (ABAB… with the order
// reversed every round), several runs each; the ratio is always between medians of the same interleaved group.
// Knobs: BENCH_RUNS=N scales the run counts (default 1 = normal; 0.5 = quick), BENCH_OUT=file writes elsewhere.
// Everything it starts (fake servers, CLI runs) and its temp dir is removed on exit, failure and Ctrl-C.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  NODE,
  ROOT,
  snapshotApp,
  benchEnv,
  fmtMs,
  fmtStat,
  interleave,
  machine,
  maxRss,
  runOnce,
  startFake,
  stats,
  tempDir,
} from "./lib/util.mjs";
import { summarize } from "./lib/profile.mjs";

const SCALE = Number(process.env.BENCH_RUNS ?? 1) || 1;
const N = (n) => Math.max(3, Math.round(n * SCALE));
const OUT = process.env.BENCH_OUT ?? join(ROOT, "BENCHMARKS.md");
const LATENCY = 20;
const PAGE_CAP = 100; // Airflow's [api] maximum_page_limit default, also the fake's
const started = Date.now();
const M = machine();
const loadStart = M.load();
const log = (s) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
const R = {}; // results, rendered at the end
const tmp = tempDir();
const BIN = snapshotApp(); // see bench/lib/util.mjs: immune to a concurrent rebuild of dist/
const bl = (f) => join(ROOT, "bench/baselines", f);
const ac = (...a) => [BIN, ...a]; // run bin/airconn through `node` (same as its shebang, minus /usr/bin/env)
const nodeVersion = process.version;
const FINDINGS = readFileSync(join(ROOT, "bench/findings.md"), "utf8").trim();

// ---------------------------------------------------------------------------------------------------------------
log(
  `machine: ${M.cores} cores, ${M.model}, load ${loadStart}; node ${nodeVersion}; NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS ?? "(unset)"}`,
);

// 0. Start-up without NODE_EXTRA_CA_CERTS (issue 11's targets) ---------------------------------------------------------
// Both sides without the variable (it costs every Node start ≈ 55 ms and would hide airconn's own start-up).
// BENCH_ONLY=startup runs just this and rewrites only its block of BENCHMARKS.md. BENCH_REF=DIR adds a built checkout
// (e.g. main before a change; BENCH_REF_LABEL describes it) to every group, so "no slower than before" is a paired
// comparison too.
const START_BEGIN = "<!-- start-up without NODE_EXTRA_CA_CERTS: begin -->";
const START_END = "<!-- start-up without NODE_EXTRA_CA_CERTS: end -->";
// Sections measured with their own scripts (paired against an older build, e.g. bench/import-paired.mjs) live between
// these markers; a full run carries them over as they are, after the start-up block.
const KEPT_BEGIN = "<!-- measured with their own scripts, kept by bench/run.mjs: begin -->";
const KEPT_END = "<!-- measured with their own scripts, kept by bench/run.mjs: end -->";
function keptSections() {
  let md = "";
  try {
    md = readFileSync(OUT, "utf8");
  } catch {
    return "";
  }
  const i = md.indexOf(KEPT_BEGIN),
    j = md.indexOf(KEPT_END);
  return i >= 0 && j > i ? `\n${md.slice(i, j + KEPT_END.length)}\n` : "";
}
async function startupNoCa() {
  const REF = process.env.BENCH_REF ? snapshotApp(process.env.BENCH_REF, "ref") : undefined;
  const apps = [["airconn", BIN], ...(REF ? [["reference", REF]] : [])];
  const env = benchEnv();
  delete env.NODE_EXTRA_CA_CERTS;
  const S = {
    load: M.load(),
    date: new Date().toISOString().slice(0, 16).replace("T", " "),
    ref: process.env.BENCH_REF_LABEL ?? process.env.BENCH_REF,
  };
  log("start-up without NODE_EXTRA_CA_CERTS: node -e 0 vs --version, --help, __complete");
  S.start = await interleave(
    [
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
      ...apps.flatMap(([n, bin]) => [
        { name: `${n} --version`, cmd: NODE, args: [bin, "--version"], env },
        { name: `${n} --help`, cmd: NODE, args: [bin, "--help"], env },
        { name: `${n} __complete pro (command words)`, cmd: NODE, args: [bin, "__complete", "pro"], env },
        {
          name: `${n} __complete list --order-by - (values)`,
          cmd: NODE,
          args: [bin, "__complete", "list", "--order-by", "-"],
          env,
        },
      ]),
    ],
    { runs: N(30), warmup: 3 },
  );
  // CPU time (user + system) of the same commands: what the process itself costs, much less sensitive than wall time
  // to other work on the machine. bash's \`times\` reports its children's CPU time with 1 ms resolution.
  log("start-up without NODE_EXTRA_CA_CERTS: CPU time");
  S.cpu = await cpuInterleave(
    [
      ["node -e 0", ["-e", "0"]],
      ...apps.flatMap(([n, bin]) => [
        [`${n} --version`, [bin, "--version"]],
        [`${n} --help`, [bin, "--help"]],
        [`${n} __complete pro (command words)`, [bin, "__complete", "pro"]],
      ]),
    ],
    env,
    N(30),
  );
  log("start-up without NODE_EXTRA_CA_CERTS: get and id completion against the fake server (latency 0)");
  const fake = await startFake({ seed: 1000, latencyMs: 0, record: false });
  const fenv = { ...env, AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token };
  const id = "conn_00042";
  for (const [, bin] of apps) await runOnce(NODE, [bin, "__complete", "get", "conn_000"], { env: fenv }); // fills the id cache (60 s)
  const a = await runOnce(NODE, [BIN, "get", id, "-o", "json"], { env: fenv, capture: true });
  const b = await runOnce(NODE, [bl("get.mjs"), id], { env: fenv, capture: true });
  S.getSame =
    a.code === 0 && b.code === 0 && JSON.stringify(JSON.parse(a.stdout)) === JSON.stringify(JSON.parse(b.stdout));
  S.net = await interleave(
    [
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env: fenv },
      { name: "baseline get.mjs", cmd: NODE, args: [bl("get.mjs"), id], env: fenv },
      ...apps.flatMap(([n, bin]) => [
        { name: `${n} get -o json`, cmd: NODE, args: [bin, "get", id, "-o", "json"], env: fenv },
        {
          name: `${n} __complete get conn_000 (warm cache)`,
          cmd: NODE,
          args: [bin, "__complete", "get", "conn_000"],
          env: fenv,
        },
      ]),
    ],
    { runs: N(20), warmup: 2 },
  );
  await fake.close();
  S.loadEnd = M.load();
  return S;
}

/** Like interleave(), but each run's CPU time (user + system, ms) instead of its wall time. */
async function cpuInterleave(cases, env, runs) {
  const t = Object.fromEntries(cases.map(([name]) => [name, []]));
  for (let r = -2; r < runs; r++) {
    for (const [name, args] of r & 1 ? [...cases].reverse() : cases) {
      const res = await runOnce("/bin/bash", ["-c", '"$@" > /dev/null; times', "_", NODE, ...args], {
        env,
        capture: true,
      });
      const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(res.stdout.trim().split("\n")[1] ?? "");
      if (res.code !== 0 || !m) throw new Error(`${name}: exit ${res.code}, times: ${res.stdout}\n${res.stderr}`);
      if (r >= 0) t[name].push((Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { runs: v, ...stats(v) }]));
}

function renderStartupNoCa(S) {
  const r = (g, a, b) => g[a].median / g[b].median;
  const x = (v) => `${v.toFixed(2)}×`;
  const ok = (b) => (b ? "**met**" : "**not met**");
  const rows = (g) =>
    Object.entries(g)
      .map(([k, s]) => `| ${k} | ${fmtStat(s)} |`)
      .join("\n");
  const st = S.start,
    net = S.net;
  const v = r(st, "airconn --version", "node -e 0"),
    h = r(st, "airconn --help", "node -e 0");
  const c1 = r(st, "airconn __complete pro (command words)", "node -e 0"),
    c2 = r(st, "airconn __complete list --order-by - (values)", "node -e 0");
  const c3 = r(net, "airconn __complete get conn_000 (warm cache)", "node -e 0");
  const g = r(net, "airconn get -o json", "baseline get.mjs");
  const gRef = S.ref ? r(net, "reference get -o json", "baseline get.mjs") : undefined;
  const refRow = (k, g0 = st) => (S.ref ? ` (reference build: ${x(r(g0, `reference ${k}`, "node -e 0"))})` : "");
  return `${START_BEGIN}
## Start-up without \`NODE_EXTRA_CA_CERTS\` (issue 11 targets)

Measured ${S.date} UTC (load average ${S.load} at start, ${S.loadEnd} at end), Node ${nodeVersion}, both sides of
every ratio without \`NODE_EXTRA_CA_CERTS\`, interleaved round-robin as everywhere in this file; paired medians.${
    S.ref
      ? `
"reference" is another build run in the same groups: \`${S.ref}\`.`
      : ""
  }
Refresh only this block with \`BENCH_ONLY=startup node bench/run.mjs\` (after \`npm run build\`).

| case | ratio to \`node -e 0\` | target | |
|---|---|---|---|
| \`airconn --version\` | ${x(v)}${refRow("--version")} | ≤ 1.3× | ${ok(v <= 1.3)} |
| \`airconn --help\` | ${x(h)}${refRow("--help")} | ≤ 1.5× | ${ok(h <= 1.5)} |
| completion callback, command words (\`__complete pro\`) | ${x(c1)}${refRow("__complete pro (command words)")} | ≤ 1.5× | ${ok(c1 <= 1.5)} |
| completion callback, option values (\`__complete list --order-by -\`) | ${x(c2)}${refRow("__complete list --order-by - (values)")} | ≤ 1.5× | ${ok(c2 <= 1.5)} |
| completion callback, ids from the cache (\`__complete get conn_000\`) | ${x(c3)}${refRow("__complete get conn_000 (warm cache)", net)} | ≤ 1.5× | ${ok(c3 <= 1.5)} |

| case | ratio to \`bench/baselines/get.mjs\` (bare fetch) | target | |
|---|---|---|---|
| \`airconn get ID -o json\`, latency 0 | ${x(g)}${gRef !== undefined ? ` (reference build: ${x(gRef)})` : ""} | no slower than before${gRef !== undefined ? " (the reference)" : ""}; same output: ${S.getSame ? "yes" : "**NO**"} | ${gRef !== undefined ? ok(g <= gRef * 1.05) : "see the reference row"} |

| command | median (range) |
|---|---|
${rows(st)}

CPU time (user + system) of the same commands, interleaved likewise; ratios to \`node -e 0\`: ${Object.keys(S.cpu)
    .filter((k) => k !== "node -e 0")
    .map((k) => `${k} ${x(r(S.cpu, k, "node -e 0"))}`)
    .join(", ")}.

| command | CPU time, median (range) |
|---|---|
${rows(S.cpu)}

| command (fake server, latency 0) | median (range) |
|---|---|
${rows(net)}
${START_END}`;
}

if (process.env.BENCH_ONLY === "startup") {
  const S = await startupNoCa();
  const block = renderStartupNoCa(S);
  let md = readFileSync(OUT, "utf8");
  const i = md.indexOf(START_BEGIN),
    j = md.indexOf(START_END);
  if (i >= 0 && j > i) md = md.slice(0, i) + block + md.slice(j + START_END.length);
  else md = md.replace(/\n## 1\. /, `\n${block}\n\n## 1. `);
  writeFileSync(OUT, md);
  log(`wrote the start-up block of ${OUT}`);
  process.exit(0);
}
R.noCa = await startupNoCa();

// 1. Start-up ------------------------------------------------------------------------------------------------------
{
  const env = benchEnv();
  log("start-up: node -e 0 vs airconn --version / --help");
  R.startup = await interleave(
    [
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
      { name: "airconn --version", cmd: NODE, args: ac("--version"), env },
      { name: "airconn --help", cmd: NODE, args: ac("--help"), env },
    ],
    { runs: N(20), warmup: 2 },
  );
  // The same without NODE_EXTRA_CA_CERTS (both sides), to show what that variable alone costs every Node start.
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const noCa = benchEnv();
    delete noCa.NODE_EXTRA_CA_CERTS;
    R.startupNoCa = await interleave(
      [
        { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env: noCa },
        { name: "airconn --version", cmd: NODE, args: ac("--version"), env: noCa },
      ],
      { runs: N(10), warmup: 1 },
    );
  }
}

// 2. Fake server throughput + get + completion (latency 0) ---------------------------------------------------------
{
  log("fake server (seed 1000, latency 0): throughput");
  const fake = await startFake({ seed: 1000, latencyMs: 0, record: false });
  const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
  const headers = { authorization: `Bearer ${fake.token}`, accept: "application/json", "accept-encoding": "gzip" };
  // Requests/s for a page of 100 (what list/export ask for) and for one connection, 8 clients in this process.
  const throughput = async (path, secs = 2, clients = 8) => {
    let n = 0;
    const until = performance.now() + secs * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          const r = await fetch(fake.url + path, { headers });
          await r.arrayBuffer();
          n++;
        }
      }),
    );
    return n / secs;
  };
  R.server = {
    page: await throughput("/api/v2/connections?limit=100&offset=200"),
    one: await throughput("/api/v2/connections/conn_00042"),
  };

  log("get: bare fetch script vs airconn get -o json");
  const id = "conn_00042";
  const a = await runOnce(NODE, ac("get", id, "-o", "json"), { env, capture: true });
  const b = await runOnce(NODE, [bl("get.mjs"), id], { env, capture: true });
  R.getSame =
    a.code === 0 && b.code === 0 && JSON.stringify(JSON.parse(a.stdout)) === JSON.stringify(JSON.parse(b.stdout));
  R.get = await interleave(
    [
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
      { name: "baseline get.mjs", cmd: NODE, args: [bl("get.mjs"), id], env },
      { name: "baseline get.mjs --liftoff-only", cmd: NODE, args: ["--liftoff-only", bl("get.mjs"), id], env },
      { name: "airconn get -o json", cmd: NODE, args: ac("get", id, "-o", "json"), env },
    ],
    { runs: N(15), warmup: 2 },
  );

  // Completion: what the bash/zsh/fish scripts run on TAB (`airconn __complete <words…>`). Warm: the id cache
  // written by the previous TAB (60 s TTL) answers; cold: the cache is removed first, so it asks the server.
  log("completion: airconn __complete get conn_000 (warm cache, cold cache)");
  const cacheDir = join(env.XDG_CACHE_HOME, "airconn");
  const c = await runOnce(NODE, ac("__complete", "get", "conn_000"), { env, capture: true });
  R.completeIds = c.stdout.split("\n").filter((l) => l.startsWith("conn_000")).length;
  const { rmSync } = await import("node:fs");
  R.complete = await interleave(
    [
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
      { name: "airconn __complete (warm cache)", cmd: NODE, args: ac("__complete", "get", "conn_000"), env },
      {
        name: "airconn __complete (no cache: GET)",
        cmd: NODE,
        args: ac("__complete", "get", "conn_000"),
        env,
        before: () => rmSync(cacheDir, { recursive: true, force: true }),
      },
    ],
    { runs: N(15), warmup: 2 },
  );
  // Every "no cache" run writes the cache again, so each warm run (next in the round or the next round) finds one.
  await fake.close();
}

// 3. list: 10,000 connections, 20 ms per request --------------------------------------------------------------------
{
  log(`list: seed 10000, latency ${LATENCY} ms`);
  const fake = await startFake({ seed: 10_000, latencyMs: LATENCY, record: false });
  const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
  // Correctness first (untimed): exactly 10,000 ids, in the server's order (what the sequential pager sees).
  const a = await runOnce(NODE, ac("list", "-o", "json"), { env, capture: true });
  const b = await runOnce(NODE, [bl("sequential-list.mjs")], { env, capture: true });
  const ids = JSON.parse(a.stdout).map((c) => c.connection_id);
  const ref = JSON.parse(b.stdout).map((c) => c.connection_id);
  R.listCheck = {
    count: ids.length,
    unique: new Set(ids).size,
    sameOrder: ids.length === ref.length && ids.every((x, i) => x === ref[i]),
    refCount: ref.length,
  };

  R.list = await interleave(
    [
      { name: "airconn --help", cmd: NODE, args: ac("--help"), env },
      { name: "sequential pages of 50", cmd: NODE, args: [bl("sequential-list.mjs")], env },
      { name: "airconn list -o json", cmd: NODE, args: ac("list", "-o", "json"), env },
    ],
    { runs: N(5), warmup: 1 },
  );

  log("list: --concurrency sweep");
  const concs = [1, 2, 4, 8, 16, 32];
  R.listConc = await interleave(
    concs.map((c) => ({ name: String(c), cmd: NODE, args: ac("--concurrency", String(c), "list", "-o", "json"), env })),
    { runs: N(3), warmup: 0 },
  );

  // --liftoff-only on a long transfer (100 pages): does keeping fetch's WebAssembly HTTP parser on V8's baseline
  // tier slow a process that parses many answers? bin/airconn sets the flag unless the node command line names one.
  log("list: V8 --liftoff-only vs --no-liftoff-only");
  R.listLiftoff = await interleave(
    [
      { name: "--liftoff-only", cmd: NODE, args: ["--liftoff-only", ...ac("list", "-o", "json")], env },
      { name: "--no-liftoff-only", cmd: NODE, args: ["--no-liftoff-only", ...ac("list", "-o", "json")], env },
    ],
    { runs: N(5), warmup: 0 },
  );

  log("list: CPU profile");
  const profDir = join(tmp, "prof-list");
  mkdirSync(profDir, { recursive: true });
  await runOnce(NODE, ["--cpu-prof", "--cpu-prof-dir", profDir, ...ac("list", "-o", "json")], { env });
  R.listProfile = summarize(join(profDir, readdirSync(profDir)[0]), ROOT);
  await fake.close();
}

// 4. import: 10,000 new connections, 20 ms per request --------------------------------------------------------------
{
  log(`import: 10,000 new connections, latency ${LATENCY} ms`);
  const COUNT = 10_000;
  const SAMPLE = Math.round(300 * Math.min(1, SCALE)); // one-by-one runs only this many and is extrapolated
  const types = ["postgres", "mysql", "http", "aws", "sftp"];
  const file = join(tmp, "import.json");
  const conns = {};
  for (let i = 1; i <= COUNT; i++) {
    const t = types[i % types.length];
    conns[`imp_${String(i).padStart(5, "0")}`] = {
      conn_type: t,
      description: `bench connection ${i}`,
      host: `db${i % 50}.example.com`,
      login: `user${i % 7}`,
      password: `pw-${i}`,
      schema: i % 3 ? "public" : null,
      port: 5000 + (i % 1000),
      extra: i % 4 ? null : JSON.stringify({ region: "eu-west-1", i }),
    };
  }
  writeFileSync(file, JSON.stringify(conns, null, 4));
  const fake = await startFake({ seed: 0, latencyMs: LATENCY, record: false });
  const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
  const reset = () => fake.reset(0);

  // Correctness (untimed, with a recording server): every id created, no request body over the chunk size.
  {
    const rec = await startFake({ seed: 0, latencyMs: 0, record: true, recordLimit: 1_000_000 });
    const envRec = benchEnv({ AIRCONN_API_URL: rec.url, AIRCONN_TOKEN: rec.token });
    let r = await runOnce(NODE, ac("import", file, "-o", "json"), { env: envRec, capture: true });
    if (r.code !== 0) {
      log(`import check: exit ${r.code}, retrying once: ${r.stderr.slice(0, 200)}`);
      await rec.reset(0);
      await rec.requests();
      r = await runOnce(NODE, ac("import", file, "-o", "json"), { env: envRec, capture: true });
    }
    const reqs = await rec.requests();
    const bulk = reqs.filter((q) => q.method === "PATCH");
    R.importCheck = {
      code: r.code,
      stderr: r.stderr.slice(0, 300),
      created: await rec.count(),
      requests: reqs.length,
      bulk: bulk.length,
      maxEntities: Math.max(...bulk.map((q) => q.entities)),
      maxBytes: Math.max(...bulk.map((q) => q.bytes)),
      gets: reqs.filter((q) => q.method === "GET").length,
    };
    await rec.close();
  }

  R.import = await interleave(
    [
      { name: "single bulk request", cmd: NODE, args: [bl("import-single-bulk.mjs"), file], env },
      { name: "airconn import", cmd: NODE, args: ac("import", file), env },
    ],
    { runs: N(7), warmup: 1, before: reset },
  );
  R.importOne = await interleave(
    [
      { name: `one by one (${SAMPLE})`, cmd: NODE, args: [bl("import-one-by-one.mjs"), file, String(SAMPLE)], env },
      { name: "node -e 0", cmd: NODE, args: ["-e", "0"], env },
    ],
    { runs: 3, warmup: 0, before: reset },
  );
  R.importSample = SAMPLE;

  log("import: --chunk-size sweep");
  const sizes = [100, 250, 500, 1000, 2000];
  R.importChunk = await interleave(
    sizes.map((s) => ({ name: String(s), cmd: NODE, args: ac("import", file, "--chunk-size", String(s)), env })),
    { runs: N(3), warmup: 0, before: reset },
  );
  R.importConc = await interleave(
    [2, 4, 8].map((c) => ({ name: String(c), cmd: NODE, args: ac("--concurrency", String(c), "import", file), env })),
    { runs: N(3), warmup: 0, before: reset },
  );

  log("import: CPU profile");
  await reset();
  const profDir = join(tmp, "prof-import");
  mkdirSync(profDir, { recursive: true });
  await runOnce(NODE, ["--cpu-prof", "--cpu-prof-dir", profDir, ...ac("import", file)], { env });
  R.importProfile = summarize(join(profDir, readdirSync(profDir)[0]), ROOT);
  await fake.close();
}

// 5. export: 100,000 connections, peak memory ------------------------------------------------------------------------
{
  log("export: seed 100000, max RSS");
  const fake = await startFake({ seed: 100_000, latencyMs: 0, record: false });
  const env = benchEnv({ AIRCONN_API_URL: fake.url, AIRCONN_TOKEN: fake.token });
  const out = join(tmp, "export.json");
  R.export = { file: [], stdout: [], list: [] };
  for (let i = 0; i < N(3); i++) {
    R.export.file.push(await maxRss(NODE, ac("export", out), { env }));
    R.export.stdout.push(await maxRss("/bin/sh", ["-c", `"${NODE}" "${BIN}" export - > /dev/null`], { env }));
    R.export.list.push(await maxRss("/bin/sh", ["-c", `"${NODE}" "${BIN}" list -o json > /dev/null`], { env }));
  }
  R.exportCount = Object.keys(JSON.parse(readFileSync(out, "utf8"))).length;
  await fake.close();
}

R.seconds = (Date.now() - started) / 1000;
R.loadEnd = M.load();
writeFileSync(OUT, render(R));
log(`wrote ${OUT} in ${R.seconds.toFixed(0)} s`);

// ---------------------------------------------------------------------------------------------------------------
function render(R) {
  const ratio = (g, a, b) => g[a].median / g[b].median;
  const x = (v) => `${v.toFixed(2)}×`;
  const ok = (b) => (b ? "**met**" : "**not met**");
  const rows = (g) =>
    Object.entries(g)
      .map(([k, s]) => `| ${k} | ${fmtStat(s)} |`)
      .join("\n");

  const vRatio = ratio(R.startup, "airconn --version", "node -e 0");
  const hRatio = ratio(R.startup, "airconn --help", "node -e 0");
  const gRatio = ratio(R.get, "airconn get -o json", "baseline get.mjs");
  const gLift = ratio(R.get, "airconn get -o json", "baseline get.mjs --liftoff-only");
  const cWarm = ratio(R.complete, "airconn __complete (warm cache)", "node -e 0");
  const cCold = ratio(R.complete, "airconn __complete (no cache: GET)", "node -e 0");

  const conc = 8;
  const pages = Math.ceil(10_000 / PAGE_CAP);
  const ideal = (pages / conc) * LATENCY;
  const lAir = R.list["airconn list -o json"].median;
  const lSeq = R.list["sequential pages of 50"].median;
  const lStart = R.list["airconn --help"].median;
  const lSpeed = lSeq / lAir;
  const lIdealRaw = lAir / ideal;
  const lIdealNet = (lAir - lStart) / ideal;
  const lc = R.listCheck;
  const listOk = lSpeed >= 10 && lIdealNet <= 1.5 && lc.count === 10_000 && lc.unique === 10_000 && lc.sameOrder;

  const iAir = R.import["airconn import"].median;
  const iOne = R.importOne[`one by one (${R.importSample})`];
  const iStart = R.importOne["node -e 0"].median;
  const perReq = (iOne.median - iStart) / R.importSample;
  const iOneEst = iStart + perReq * 10_000;
  const iSingle = R.import["single bulk request"].median;
  const ic = R.importCheck;
  const importOk = iOneEst / iAir >= 20 && iAir / iSingle <= 1.5 && ic.maxEntities <= 500 && ic.created === 10_000;

  const ex = (k) => stats(R.export[k].map((r) => r.mb));
  const exFile = ex("file"),
    exOut = ex("stdout"),
    exList = ex("list");
  const mb = (s) => `${s.median.toFixed(0)} MB (${s.min.toFixed(0)}–${s.max.toFixed(0)}, n=${s.n})`;

  const prof = (p) =>
    [
      `Wall time in the profile: ${fmtMs(p.totalMs)}. By area (self time):`,
      "",
      "| area | ms | share |",
      "|---|---|---|",
      ...p.byArea.map((a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${a.pct.toFixed(0)} % |`),
      "",
      "Top functions by self time:",
      "",
      "| function | ms | share |",
      "|---|---|---|",
      ...p.top.map((f) => `| \`${f.fn.replace(/\|/g, "\\|")}\` | ${f.ms.toFixed(1)} | ${f.pct.toFixed(1)} % |`),
    ].join("\n");

  return `# airconn benchmarks

Generated by \`npm run bench\` (\`npm run build && node bench/run.mjs\`) on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; the whole run took ${R.seconds.toFixed(0)} s.
Do not edit by hand: the next \`npm run bench\` rewrites this file (its prose lives in \`bench/run.mjs\`), except the
sections between the "measured with their own scripts" markers, which it keeps as they are.

## Machine and method

- ${M.cores} cores, ${M.model}, ${M.memGb.toFixed(1)} GB RAM, ${M.kernel}; Node ${nodeVersion}.
- Load average at start ${loadStart}, at end ${R.loadEnd} (other work on the machine makes absolute times noisy; the ratios are
  between medians of the same interleaved group, so both sides saw the same noise).
- \`NODE_EXTRA_CA_CERTS\` = ${process.env.NODE_EXTRA_CA_CERTS ? `\`${process.env.NODE_EXTRA_CA_CERTS}\` (set: every Node start, airconn's and the baselines', reads that CA bundle)` : "(unset)"}. Every command, airconn and baseline alike,
  runs with the same environment: the bench's own minus \`AIRCONN_*\`, proxies and \`NODE_OPTIONS\`, plus a fresh
  \`XDG_CONFIG_HOME\`/\`XDG_CACHE_HOME\` and \`AIRCONN_API_URL\`/\`AIRCONN_TOKEN\` for the fake server.
- airconn runs as \`node bin/airconn …\` (built \`dist/\`), baselines as \`node bench/baselines/<script>.mjs …\`. Each group of
  commands runs round-robin, the order reversed every round (ABC, CBA, …), after warm-up runs that are not counted.
  Times are wall clock from spawn to exit, stdout to /dev/null (correctness checks run separately with stdout captured).
- The server is the fake Airflow of \`packages/fake-airflow\` (\`startFakeAirflow({ seed, latencyMs, record: false })\`, page cap ${PAGE_CAP}
  like Airflow's default \`maximum_page_limit\`), in its own process (\`bench/lib/fake-control.ts\`, so it can be reset between runs).
  It answers pages gzipped, as Airflow behind its GZip middleware does.
- Server throughput at latency 0 (8 clients in the bench process, 2 s each): **${R.server.page.toFixed(0)} requests/s** for a page of 100
  connections, **${R.server.one.toFixed(0)} requests/s** for one connection. The list case at its ideal needs
  ${((conc * 1000) / LATENCY).toFixed(0)} page requests/s (${conc} in flight, ${LATENCY} ms each)${
    R.server.page >= (conc * 1000) / LATENCY
      ? ", so the server is not the bottleneck there."
      : `: more than the fake serves on this machine, so the fake alone needs ≈ ${((100 / R.server.page) * 1000).toFixed(0)} ms for the 100 pages, above the ideal. The list row is bounded by the test server here (both share 2 cores), not by airconn's paging.`
  }

## Summary

| case | airconn | baseline | ratio | target | |
|---|---|---|---|---|---|
| \`airconn --version\` | ${fmtStat(R.startup["airconn --version"])} | \`node -e 0\` ${fmtStat(R.startup["node -e 0"])} | ${x(vRatio)} | ≤ 1.5× | ${ok(vRatio <= 1.5)} |
| \`airconn --help\` | ${fmtStat(R.startup["airconn --help"])} | \`node -e 0\` (same group) | ${x(hRatio)} | ≤ 1.5× | ${ok(hRatio <= 1.5)} |
| \`airconn get ID -o json\`, latency 0 | ${fmtStat(R.get["airconn get -o json"])} | \`bench/baselines/get.mjs\` ${fmtStat(R.get["baseline get.mjs"])} | ${x(gRatio)} | ≤ 1.3× | ${ok(gRatio <= 1.3 && R.getSame)} |
| \`airconn list -o json\`, 10,000, ${LATENCY} ms | ${fmtStat(R.list["airconn list -o json"])} | sequential pages of 50 ${fmtStat(R.list["sequential pages of 50"])} | ${lSpeed.toFixed(1)}× faster; ${x(lIdealNet)} the ideal ${ideal.toFixed(0)} ms (start-up excluded; ${x(lIdealRaw)} with it) | ≥ 10× faster, ≤ 1.5× ideal, 10,000 ids in order | ${ok(listOk)} |
| \`airconn import\`, 10,000 new, ${LATENCY} ms | ${fmtStat(R.import["airconn import"])} | one by one ≈ ${fmtMs(iOneEst)} (extrapolated); one bulk request ${fmtStat(R.import["single bulk request"])} | ${(iOneEst / iAir).toFixed(0)}× faster than one by one; ${x(iAir / iSingle)} the single request | ≥ 20×, ≤ 1.5×, no body over the chunk size | ${ok(importOk)} |
| \`airconn export\`, 100,000 | peak RSS ${mb(exFile)} to a file, ${mb(exOut)} to stdout | — | — | < 150 MB | ${ok(exFile.max < 150 && exOut.max < 150)} |
| completion of ids (\`airconn __complete get conn_000\`) | warm cache ${fmtStat(R.complete["airconn __complete (warm cache)"])}; no cache ${fmtStat(R.complete["airconn __complete (no cache: GET)"])} | \`node -e 0\` ${fmtStat(R.complete["node -e 0"])} | ${x(cWarm)} warm, ${x(cCold)} cold | ≤ 2× | ${ok(cWarm <= 2 && cCold <= 2)} |

${renderStartupNoCa(R.noCa)}
${keptSections()}
## 1. Start-up: \`--version\`, \`--help\`

\`node -e 0\` vs \`node bin/airconn --version\` vs \`node bin/airconn --help\`, ${R.startup["node -e 0"].n} interleaved runs each:

| command | median (range) |
|---|---|
${rows(R.startup)}
${
  R.startupNoCa
    ? `
The same without \`NODE_EXTRA_CA_CERTS\` (both sides): ${Object.entries(R.startupNoCa)
        .map(([k, s]) => `\`${k}\` ${fmtStat(s)}`)
        .join(", ")}, ratio ${x(ratio(R.startupNoCa, "airconn --version", "node -e 0"))}.
With the variable set, Node parses the CA bundle at every start: that cost is in both sides of every comparison above.
`
    : ""
}
## 2. \`airconn get ID -o json\` (latency 0)

Baseline: \`bench/baselines/get.mjs\`, the same GET with global \`fetch\` and \`JSON.stringify(body, null, 2)\`. Same output as airconn: ${R.getSame ? "yes" : "**NO**"}.

| command | median (range) |
|---|---|
${rows(R.get)}

Ratio airconn / bare script: **${x(gRatio)}**. Against the bare script with \`--liftoff-only\` (the flag bin/airconn sets, see
below): ${x(gLift)}. A one-request process that uses fetch otherwise waits ~100 ms at exit for V8 to finish optimising
undici's WebAssembly HTTP parser; \`bin/airconn\` sets \`--liftoff-only\` so it never starts that tier-up.

## 3. \`airconn list -o json\`: 10,000 connections, ${LATENCY} ms per request

Baseline: \`bench/baselines/sequential-list.mjs\` (pages of 50, one after the other, like airflowctl). Checked in the same run:
airconn printed ${lc.count} ids (${lc.unique} distinct), ${lc.sameOrder ? "in exactly the order the sequential pager got from the server" : "**NOT in the server's order**"} (baseline: ${lc.refCount}).

| command | median (range) |
|---|---|
${rows(R.list)}

- ${lSpeed.toFixed(1)}× faster than sequential pages of 50.
- Ideal at --concurrency ${conc}: ${pages} pages (page cap ${PAGE_CAP}) ÷ ${conc} × ${LATENCY} ms = ${ideal.toFixed(0)} ms. airconn's time minus its own
  start-up (\`airconn --help\`, which loads the whole CLI, in the same group, ${fmtMs(lStart)}) is ${fmtMs(lAir - lStart)} = **${x(lIdealNet)} the ideal**; the whole process is ${x(lIdealRaw)}.
  The first page is fetched alone (it tells the total), so the floor is one round more than the ideal.

\`--concurrency\` sweep (${R.listConc["1"].n} interleaved runs each; ideal = ${pages} ÷ c × ${LATENCY} ms):

| --concurrency | median (range) | ideal | minus start-up ÷ ideal |
|---|---|---|---|
${Object.entries(R.listConc)
  .map(
    ([c, s]) =>
      `| ${c} | ${fmtStat(s)} | ${fmtMs((pages / c) * LATENCY)} | ${x((s.median - lStart) / ((pages / c) * LATENCY))} |`,
  )
  .join("\n")}

V8 \`--liftoff-only\` on this long transfer (100 answers through fetch's WebAssembly parser): ${Object.entries(
    R.listLiftoff,
  )
    .map(([k, s]) => `\`${k}\` ${fmtStat(s)}`)
    .join(", ")};
ratio ${x(ratio(R.listLiftoff, "--liftoff-only", "--no-liftoff-only"))}.

## 4. \`airconn import\`: 10,000 new connections, ${LATENCY} ms per request

File: 10,000 connections in \`airflow connections export\` JSON (${(readFileSync(join(tmp, "import.json")).length / 1e6).toFixed(1)} MB), imported into an empty server (reset,
untimed, before every run). Baselines: \`bench/baselines/import-single-bulk.mjs\` (all 10,000 in one PATCH) and
\`bench/baselines/import-one-by-one.mjs\` (one POST per connection, sequential).

Checked with a recording server: exit ${ic.code}${ic.code ? ` (stderr: ${ic.stderr.trim()})` : ""}, ${ic.created} connections created, ${ic.requests} requests (${ic.gets} GET to list existing ids, ${ic.bulk} bulk PATCH),
largest bulk request ${ic.maxEntities} connections / ${(ic.maxBytes / 1024).toFixed(0)} KiB (chunk size 500): ${ic.maxEntities <= 500 ? "no body over the chunk size" : "**a body is over the chunk size**"}.

| command | median (range) |
|---|---|
${rows(R.import)}
${rows(R.importOne)}

One by one is timed on the first ${R.importSample} connections (all 10,000 would take minutes per run) and extrapolated:
start (\`node -e 0\`) + ${R.importSample} requests → ${perReq.toFixed(1)} ms per request → ${fmtMs(iOneEst)} for 10,000.
airconn is **${(iOneEst / iAir).toFixed(0)}× faster** than that and **${x(iAir / iSingle)}** the single bulk request.

\`--chunk-size\` sweep (default concurrency):

| --chunk-size | median (range) |
|---|---|
${rows(R.importChunk)}

\`--concurrency\` sweep (chunk size 500; import uses at most 8 chunks in flight):

| --concurrency | median (range) |
|---|---|
${rows(R.importConc)}

## 5. \`airconn export\`: 100,000 connections, peak memory

Server: seed 100,000, latency 0. Peak RSS of the airconn process (${R.export.file[0].how}):

| command | peak RSS | time |
|---|---|---|
| \`airconn export FILE.json\` | ${mb(exFile)} | ${fmtStat(stats(R.export.file.map((r) => r.ms)))} |
| \`airconn export - > /dev/null\` | ${mb(exOut)} | ${fmtStat(stats(R.export.stdout.map((r) => r.ms)))} |
| \`airconn list -o json > /dev/null\` (for comparison) | ${mb(exList)} | ${fmtStat(stats(R.export.list.map((r) => r.ms)))} |

The file held ${R.exportCount} connections. Pages are written as they arrive, in order, with at most --concurrency pages
in flight, so memory does not grow with the number of connections.

## 6. Completion of connection ids

The shell scripts run \`airconn __complete <words…>\` on every TAB; \`bin/airconn\` answers it before commander and the
command modules load. Warm: the id cache of the previous TAB (60 s TTL) answers; no cache: one GET with an 800 ms timeout.
It found ${R.completeIds} ids for \`conn_000\`.

| command | median (range) |
|---|---|
${rows(R.complete)}

## 7. Profiles

### \`airconn list -o json\` (10,000 connections, ${LATENCY} ms)

${prof(R.listProfile)}

### \`airconn import\` (10,000 connections, ${LATENCY} ms)

${prof(R.importProfile)}

${FINDINGS}
`;
}
