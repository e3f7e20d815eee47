// `airconn completion <shell>`: prints the committed completion script for bash, zsh or fish. The command has no
// run() of its own (its action prints the script), so it runs through main() in-process; the completion engine
// itself is tested in test/unit/completion.test.ts, the scripts in shells in test/e2e/completion.test.ts.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { main } from "../../../src/cli.js";
import { testIO } from "../../../src/output/io.js";

const COMPLETIONS = resolve(import.meta.dirname, "../../../completions");

async function airconn(args: string[]) {
  const io = testIO();
  const code = await main(args, { io, env: { AIRCONN_CONFIG_DIR: "/nonexistent/airconn-test" } });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("completion", () => {
  it("`airconn completion <shell>` prints the committed script; another shell is a usage error", async () => {
    for (const [shell, file] of [
      ["bash", "airconn.bash"],
      ["zsh", "_airconn"],
      ["fish", "airconn.fish"],
    ] as const) {
      const r = await airconn(["completion", shell]);
      expect(r.code, shell).toBe(0);
      expect(r.stdout).toBe(readFileSync(resolve(COMPLETIONS, file), "utf8"));
      expect(r.stderr).toBe("");
    }
    const bad = await airconn(["completion", "powershell"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/bash, zsh, fish/);
    const none = await airconn(["completion"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'shell'/);
  });
});
