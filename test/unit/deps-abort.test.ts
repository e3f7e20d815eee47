// Ctrl-C ends the HTTP client's waits at once: a Retry-After of 20 s is not sat out after the signal fires.
import { afterEach, describe, expect, it } from "vitest";
import { createDeps } from "../../src/deps.js";
import { testIO } from "../../src/output/io.js";
import { closeAirflows, fakeAirflow } from "./commands-support.js";

afterEach(closeAirflows);

describe("deps: the API client's retry waits follow the signal", () => {
  it("a 503 with Retry-After: 20 and Ctrl-C once it was answered: the request is given up at once, and not sent again", async () => {
    const af = await fakeAirflow([], { faults: { status: 503, retryAfter: 20 } });
    const ctl = new AbortController();
    const d = createDeps({
      io: testIO(),
      signal: ctl.signal,
      globals: { retries: 3 },
      env: {
        AIRCONN_API_URL: af.url,
        AIRCONN_TOKEN: af.adminToken,
        AIRCONN_CONFIG_DIR: "/nonexistent/airconn-test",
        XDG_CACHE_HOME: "/dev/null/x",
      },
    });
    const api = await d.api();
    // Ctrl-C once the server has answered the first attempt (not after a fixed delay: a loaded machine may not
    // have sent it yet), 100 ms into the 20 s wait.
    const sent = () => af.requests.some((q) => q.path === "/api/v2/connections/pg" && q.doneAt !== undefined);
    const poll = setInterval(() => {
      if (sent()) {
        clearInterval(poll);
        setTimeout(() => ctl.abort(), 100);
      }
    }, 10);
    // Without the signal the client would sit out the 20 s before its next try: the test's own timeout fails it.
    await expect(api.get("pg")).rejects.toBeDefined();
    clearInterval(poll);
    expect(ctl.signal.aborted).toBe(true);
    expect(af.requests.filter((q) => q.path === "/api/v2/connections/pg")).toHaveLength(1);
  });
});
