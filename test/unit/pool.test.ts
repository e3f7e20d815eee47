// The one worker pool (src/util/pool.ts): bounded, in order, and no new item after a failure or an abort; with
// `failed`, an item's own failure is recorded and the pool goes on, and only a fatal one (isFatal) stops it.
import { describe, expect, it } from "vitest";
import { runPool } from "../../src/util/pool.js";
import { ApiError, AuthError, ConflictError, NetworkError, NotAirflowApiError } from "../../src/errors.js";

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe("runPool", () => {
  it("runs every item once, never more than the limit at a time, taken in order", async () => {
    let running = 0,
      most = 0;
    const started: number[] = [];
    await runPool([...Array(10).keys()], 3, async (x) => {
      started.push(x);
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it("a failure starts no further item, and rejects the pool once the calls already running have finished", async () => {
    const started: number[] = [],
      finished: number[] = [];
    const run = runPool([...Array(10).keys()], 2, async (x) => {
      started.push(x);
      await tick();
      if (x === 1) throw new Error("fatal");
      await tick();
      await tick();
      finished.push(x);
    });
    await expect(run).rejects.toThrow("fatal");
    expect(finished).toEqual([0]); // item 0 was running when 1 failed: done before the pool rejected
    expect(started).toEqual([0, 1]);
  });

  it("no item starts once the signal has fired", async () => {
    const ctl = new AbortController();
    const started: number[] = [];
    await runPool(
      [...Array(10).keys()],
      2,
      async (x) => {
        started.push(x);
        if (x === 2) ctl.abort();
        await tick();
      },
      { signal: ctl.signal },
    );
    expect(started).toEqual([0, 1, 2]);
  });

  it("with `failed`: each failure is heard, an item's own (404, 409, 403 Forbidden, a network error) does not stop the pool", async () => {
    const own = [
      new ApiError(404, "The Connection with connection_id: `a` was not found", "DELETE", "http://x/a"),
      new ConflictError("connection b already exists"),
      new ApiError(403, "Forbidden", "DELETE", "http://x/c"),
      new ApiError(422, "port: Input should be a valid integer", "PATCH", "http://x/d"),
      new NetworkError("the connection to http://x was closed before an answer came", undefined, "ECONNRESET"),
    ];
    const heard: Array<[number, unknown]> = [];
    const started: number[] = [];
    await runPool(
      [...Array(8).keys()],
      2,
      async (x) => {
        started.push(x);
        await tick();
        if (x < own.length) throw own[x];
      },
      { failed: (e, _x, i) => heard.push([i, e]) },
    );
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(heard).toEqual(own.map((e, i) => [i, e]));
  });

  it.each([
    ["401 Token Expired", new ApiError(401, "Token Expired", "DELETE", "http://x/a")],
    ["403 Invalid JWT token", new ApiError(403, "Invalid JWT token", "DELETE", "http://x/a")],
    ["no token (AuthError)", new AuthError("the token command failed")],
    ["a wrong URL", new NotAirflowApiError("no such route", "route", "DELETE", "http://x/a", 404)],
    ["a bug", new TypeError("x is undefined")],
  ])(
    "with `failed`: a fatal failure (%s) is heard, then stops the pool like any failure without it",
    async (_what, fatal) => {
      const heard: unknown[] = [];
      const started: number[] = [];
      const run = runPool(
        [...Array(10).keys()],
        2,
        async (x) => {
          started.push(x);
          await tick();
          if (x >= 2) throw x === 2 ? fatal : new ConflictError("late");
        },
        { failed: (e) => heard.push(e) },
      );
      await expect(run).rejects.toBe(fatal);
      expect(started).toEqual([0, 1, 2, 3]); // 3 was already running when 2 failed
      expect(heard).toEqual([fatal, new ConflictError("late")]);
    },
  );

  it("`fatal` replaces the policy (a command that adds its own fatal errors)", async () => {
    const started: number[] = [];
    const run = runPool(
      [...Array(10).keys()],
      1,
      async (x) => {
        started.push(x);
        if (x === 1) throw new ConflictError("stop here");
      },
      { failed: () => {}, fatal: (e) => e instanceof ConflictError },
    );
    await expect(run).rejects.toThrow("stop here");
    expect(started).toEqual([0, 1]);
  });
});
