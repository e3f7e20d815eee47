// The one worker pool (src/util/pool.ts): bounded, in order, and no new item after a failure or an abort.
import { describe, expect, it } from "vitest";
import { runPool } from "../../src/util/pool.js";

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe("runPool", () => {
  it("runs every item once, never more than the limit at a time, taken in order", async () => {
    let running = 0, most = 0;
    const started: number[] = [];
    await runPool([...Array(10).keys()], 3, async (x) => {
      started.push(x); running++; most = Math.max(most, running);
      await tick(); running--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it("a failure starts no further item, and rejects the pool once the calls already running have finished", async () => {
    const started: number[] = [], finished: number[] = [];
    const run = runPool([...Array(10).keys()], 2, async (x) => {
      started.push(x);
      await tick();
      if (x === 1) throw new Error("fatal");
      await tick(); await tick();
      finished.push(x);
    });
    await expect(run).rejects.toThrow("fatal");
    expect(finished).toEqual([0]); // item 0 was running when 1 failed: done before the pool rejected
    expect(started).toEqual([0, 1]);
  });

  it("no item starts once the signal has fired", async () => {
    const ctl = new AbortController();
    const started: number[] = [];
    await runPool([...Array(10).keys()], 2, async (x) => { started.push(x); if (x === 2) ctl.abort(); await tick(); }, ctl.signal);
    expect(started).toEqual([0, 1, 2]);
  });
});
