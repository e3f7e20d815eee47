// Bench helper: the fake Airflow (packages/fake-airflow) in its own process, driven by one-line JSON commands on stdin,
// so the bench can reset its store between timed runs and read what was sent, without restarting it.
//   {"cmd":"start","opts":{...FakeAirflowOptions}}  -> {"url","token","count"}
//   {"cmd":"reset","seed":N}                        -> {"count"}
//   {"cmd":"count"}                                 -> {"count"}
//   {"cmd":"requests"}                              -> {"requests":[{method,path,bytes,entities}]} (then clears the log)
// Run: node --import tsx bench/lib/fake-control.ts. Exits when stdin closes, or on SIGTERM/SIGINT.
import { createInterface } from "node:readline";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";

let fake: FakeAirflow | undefined;
const reply = (o: unknown) => process.stdout.write(JSON.stringify(o) + "\n");
const stop = async () => {
  try {
    await fake?.close();
  } finally {
    process.exit(0);
  }
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

const rl = createInterface({ input: process.stdin });
rl.on("close", () => void stop());
rl.on("line", async (line) => {
  try {
    const m = JSON.parse(line) as { cmd: string; opts?: Record<string, unknown>; seed?: number };
    if (m.cmd === "start") {
      await fake?.close();
      fake = await startFakeAirflow(m.opts ?? {});
      reply({ url: fake.url, token: fake.adminToken, count: fake.all().length });
    } else if (m.cmd === "reset") {
      fake!.reset({ seed: m.seed ?? 0 });
      reply({ count: fake!.all().length });
    } else if (m.cmd === "count") {
      reply({ count: fake!.all().length });
    } else if (m.cmd === "requests") {
      const requests = fake!.requests.map((r) => {
        const actions = (r.json as { actions?: Array<{ entities?: unknown[] }> } | undefined)?.actions;
        return {
          method: r.method,
          path: r.path,
          bytes: Buffer.byteLength(r.body),
          entities: actions ? actions.reduce((n, a) => n + (a.entities?.length ?? 0), 0) : 0,
        };
      });
      fake!.requests.length = 0;
      reply({ requests });
    } else reply({ error: `unknown command ${m.cmd}` });
  } catch (e) {
    reply({ error: e instanceof Error ? e.message : String(e) });
  }
});
