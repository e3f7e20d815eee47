// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area (our code, node internals,
// npm packages, GC, idle), so BENCHMARKS.md can say where the time of the slowest case goes.
import { readFileSync } from "node:fs";

export function summarize(file, root) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> µs
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = p.endTime - p.startTime;
  const fns = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const url = cf.url.replace(`file://${root}/`, "");
    const name = cf.functionName || "(anonymous)";
    const area =
      name === "(idle)"
        ? "idle (waiting for the network)"
        : name === "(garbage collector)"
          ? "garbage collector"
          : name === "(program)"
            ? "V8/native (program)"
            : url.startsWith("dist/")
              ? "airconn (dist/)"
              : url.includes("node_modules")
                ? "npm packages"
                : url.startsWith("node:") || url === ""
                  ? "Node built-ins / native"
                  : "other";
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${name} ${url ? `${url}:${cf.lineNumber + 1}` : ""}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const top = [...fns]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, us]) => ({ fn: k, ms: us / 1000, pct: (100 * us) / total }));
  const byArea = [...areas]
    .sort((a, b) => b[1] - a[1])
    .map(([k, us]) => ({ area: k, ms: us / 1000, pct: (100 * us) / total }));
  return { totalMs: total / 1000, top, byArea };
}
