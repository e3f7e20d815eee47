// The one poll loop of connection tests on a worker (src/api/connection-test.ts), with its clock, sleep, signal and
// reporter injected: the backoff, the states the reporter hears, the end of the wait, Ctrl-C. The server's answers
// come from a scripted pollTest (the commands' tests run the whole protocol against the local server).
import { describe, expect, it } from "vitest";
import { awaitResult, FIRST_POLL_MS, MAX_POLL_MS, type TestClock } from "../../src/api/connection-test.js";
import type { AirflowApi } from "../../src/api/client.js";
import type { AsyncConnectionTestResponse, ConnectionTestState } from "../../src/api/types.js";
import { CancelledError } from "../../src/errors.js";

/** A fake clock whose sleep moves time on, and a server that answers these states, one per poll (the last one again). */
function setup(states: ConnectionTestState[], o: { message?: string; onPoll?: (n: number) => void } = {}) {
  let t = 0;
  const slept: number[] = [];
  const ctl = new AbortController();
  const clock: TestClock = {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    signal: ctl.signal,
  };
  let polls = 0;
  const api = {
    pollTest: async (token: string): Promise<AsyncConnectionTestResponse> => {
      polls++;
      o.onPoll?.(polls);
      const state = states[Math.min(polls, states.length) - 1]!;
      return {
        token,
        connection_id: "pg",
        state,
        result_message: state === "success" || state === "failed" ? (o.message ?? null) : null,
      } as AsyncConnectionTestResponse;
    },
  } as unknown as AirflowApi;
  const heard: string[] = [];
  const reporter = () => ({ onState: (s: ConnectionTestState) => heard.push(s), stop: () => heard.push("stop") });
  return { clock, api, slept, heard, reporter, ctl, polls: () => polls };
}

describe("awaitResult: the one poll loop", () => {
  it("waits 0.5 s, then 1.5 times longer up to 2 s; the reporter hears each new state once, then stop", async () => {
    const s = setup(["queued", "queued", "running", "running", "running", "running", "success"], {
      message: "Connection successfully tested",
    });
    const r = await awaitResult(s.clock, s.api, "tok", {
      connectionId: "pg",
      state: "pending",
      waitMs: 60_000,
      reporter: s.reporter,
    });
    expect(r).toEqual({
      connection_id: "pg",
      token: "tok",
      state: "success",
      status: true,
      message: "Connection successfully tested",
    });
    expect(s.slept).toEqual([FIRST_POLL_MS, 750, 1125, 1688, MAX_POLL_MS, MAX_POLL_MS, MAX_POLL_MS]);
    expect(s.heard).toEqual(["pending", "queued", "running", "success", "stop"]);
  });

  it("a failed test: status false and the worker's message (or 'the test failed')", async () => {
    const s = setup(["failed"]);
    expect(await awaitResult(s.clock, s.api, "tok", { waitMs: 10_000 })).toEqual({
      connection_id: "pg",
      token: "tok",
      state: "failed",
      status: false,
      message: "the test failed",
    });
  });

  it("the wait runs out: status null, the last state and how long it waited; the last sleep is cut to the deadline", async () => {
    const s = setup(["running"]);
    const r = await awaitResult(s.clock, s.api, "tok", {
      connectionId: "pg",
      state: "queued",
      waitMs: 3000,
      reporter: s.reporter,
    });
    expect(r).toEqual({
      connection_id: "pg",
      token: "tok",
      state: "running",
      status: null,
      message: "no result after 3 s (state: running)",
    });
    expect(s.slept).toEqual([500, 750, 1125, 625]);
    expect(s.heard).toEqual(["queued", "running", "stop"]);
  });

  it("Ctrl-C: a CancelledError naming the test, what the server goes on doing and the token to resume with; the reporter is stopped", async () => {
    const s = setup(["running"], {
      onPoll: (n) => {
        if (n === 2) {
          s.ctl.abort();
          throw new Error("aborted");
        }
      },
    });
    const p = awaitResult(s.clock, s.api, "tok", {
      connectionId: "pg",
      waitMs: 60_000,
      reporter: s.reporter,
      goesOn: ", which still creates pg if it passes",
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    await expect(p).rejects.toThrow(
      "interrupted; the test of pg goes on on the server, which still creates pg if it passes: see its result with `airconn test --poll tok`",
    );
    expect(s.heard).toEqual(["running", "stop"]);
  });

  it("another error of a poll is the caller's, the reporter stopped too", async () => {
    const s = setup(["running"], {
      onPoll: () => {
        throw new Error("No connection test found for token: `nope`");
      },
    });
    await expect(awaitResult(s.clock, s.api, "nope", { waitMs: 5000, reporter: s.reporter })).rejects.toThrow(
      /No connection test found/,
    );
    expect(s.heard).toEqual(["stop"]);
  });
});
