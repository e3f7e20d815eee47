// Issue 11: the completion scripts of the standalone executable call the executable itself (by its absolute path,
// however odd) and complete it under `airconn` and its own file name. The npm command's scripts are unchanged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { completionScript, type SHELLS, standaloneSelf } from "../../src/completion/scripts.js";

const have = (cmd: string) => {
  try {
    execFileSync("/bin/sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
let dir: string;
let exe: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "airconn-self-"));
  mkdirSync(join(dir, "my dir"));
  // A stand-in for the executable at a path with a space and a quote: it answers `__complete …` with its arguments.
  exe = join(dir, "my dir", "it's-airconn");
  writeFileSync(exe, `#!/bin/sh\n[ "$1" = __complete ] || exit 1\nshift\necho "called-with:$*"\n`);
  chmodSync(exe, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("standaloneSelf", () => {
  it("is undefined under plain Node; in a SEA it is the executable's path and names", () => {
    expect(standaloneSelf(() => false, "/usr/bin/node", "node")).toBeUndefined();
    expect(standaloneSelf(() => true, "/opt/airconn/airconn-linux-x64", "airconn")).toEqual({
      path: "/opt/airconn/airconn-linux-x64",
      names: ["airconn-linux-x64", "airconn"],
    });
  });
});

describe("completionScript with the executable itself", () => {
  const self = () => ({ path: exe, names: ["it's-airconn", "airconn-linux-x64", "airconn"] });

  it("changes only the callback and the names it registers", () => {
    const changed = (sh: (typeof SHELLS)[number]) => {
      const a = completionScript(sh).split("\n"),
        b = completionScript(sh, self()).split("\n");
      return b.filter((l) => !a.includes(l));
    };
    // `it's-airconn` is no plain command name: left out of the registered names (the path is still called)
    expect(changed("bash")).toEqual([
      `    out=$(command '${dir}/my dir/it'\\''s-airconn' __complete "\${words[@]:1:cword}" 2>/dev/null) || return 0`,
      "complete -F _airconn_completion airconn airconn-linux-x64",
    ]);
    expect(changed("zsh")).toEqual([
      "#compdef airconn airconn-linux-x64",
      `    lines=("\${(@f)$(command '${dir}/my dir/it'\\''s-airconn' __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")`,
      "    compdef _airconn airconn airconn-linux-x64",
    ]);
    expect(changed("fish")).toEqual([
      `    for line in (command '${dir}/my dir/it\\'s-airconn' __complete $tokens "$current" 2>/dev/null)`,
      "complete -c airconn-linux-x64 -f -a '(__airconn_complete)'",
    ]);
  });

  it.skipIf(!have("bash"))("bash calls the executable by its quoted path", () => {
    const file = join(dir, "c.bash");
    writeFileSync(file, completionScript("bash", self()));
    const out = execFileSync(
      "bash",
      [
        "--norc",
        "--noprofile",
        "-c",
        `source "$1"; COMP_WORDS=(airconn-linux-x64 get co); COMP_CWORD=2; _airconn_completion; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p airconn-linux-x64`,
        "bash",
        file,
      ],
      { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } },
    );
    expect(out).toBe("called-with:get co\ncomplete -F _airconn_completion airconn-linux-x64\n");
  });

  it.skipIf(!have("fish"))("fish calls the executable by its quoted path", () => {
    const file = join(dir, "c.fish");
    writeFileSync(file, completionScript("fish", self()));
    const out = execFileSync(
      "fish",
      ["--no-config", "-c", "source $argv[1]; complete -C 'airconn-linux-x64 get co'", file],
      { encoding: "utf8" },
    );
    expect(out).toBe("called-with:get co\n");
  });
});
