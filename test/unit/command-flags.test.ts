// Parse-only tests of each command's flags: the command is registered with a spy in place of its run function
// (the `register(program, ctx, run)` seam), so only commander's parsing is under test — the parsed options the
// run function would get, and usage errors that stop before it is called.
import { describe, expect, it, vi } from "vitest";
import { Command, CommanderError } from "commander";
import type { Deps } from "../../src/deps.js";

const DEPS = { marker: "deps" } as unknown as Deps;
const ctx = { deps: () => DEPS };

/** A bare program with the command registered by `add`, parsing `argv`; throws CommanderError on a usage error. */
async function parse(add: (program: Command) => void, argv: string[]): Promise<void> {
  const program = new Command("airconn").exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  add(program);
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  await program.parseAsync(argv, { from: "user" });
}

describe("one command, its flags parsed", () => {
  it("list", async () => {
    const { register } = await import("../../src/commands/list.js");
    const run = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, run),
      ["ls", "--pattern", "a%", "--order-by", "host", "--order-by", "-port", "--limit", "5", "--offset", "2"],
    );
    expect(run).toHaveBeenCalledWith({ pattern: "a%", orderBy: ["host", "-port"], limit: 5, offset: 2 }, DEPS);
  });

  it("get", async () => {
    const { register } = await import("../../src/commands/get.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["get", "my_conn"]);
    expect(run).toHaveBeenCalledWith({ id: "my_conn" }, DEPS);
  });

  it("create: field flags, --port as a number, switches", async () => {
    const { register } = await import("../../src/commands/create.js");
    const run = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, run),
      [
        "create",
        "c1",
        "--type",
        "http",
        "--host",
        "h",
        "--port",
        "8080",
        "--extra",
        "{}",
        "--password-stdin",
        "--if-not-exists",
        "--team",
        "t",
      ],
    );
    expect(run).toHaveBeenCalledWith(
      { id: "c1", type: "http", host: "h", port: 8080, extra: "{}", passwordStdin: true, ifNotExists: true, team: "t" },
      DEPS,
    );
  });

  it("create: --port out of range is a usage error; nothing runs. A missing id reaches run (asked at a terminal)", async () => {
    const { register } = await import("../../src/commands/create.js");
    const run = vi.fn(async () => {});
    await expect(parse((p) => register(p, ctx, run), ["create", "c1", "--port", "70000"])).rejects.toThrow(
      /--port must be between 0 and 65535, got 70000/,
    );
    expect(run).not.toHaveBeenCalled();
    await parse((p) => register(p, ctx, run), ["create", "--type", "http"]);
    expect(run).toHaveBeenCalledWith({ id: undefined, type: "http" }, DEPS);
  });

  it("patch: repeatable --unset, --set-extra, --unset-extra", async () => {
    const { register } = await import("../../src/commands/patch.js");
    const run = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, run),
      [
        "patch",
        "c1",
        "--unset",
        "host",
        "--unset",
        "port",
        "--set-extra",
        "a=1",
        "--set-extra",
        "b=x",
        "--unset-extra",
        "c",
        "--login",
        "l",
      ],
    );
    expect(run).toHaveBeenCalledWith(
      { id: "c1", unset: ["host", "port"], setExtra: ["a=1", "b=x"], unsetExtra: ["c"], login: "l" },
      DEPS,
    );
  });

  it("delete (alias rm): several ids", async () => {
    const { register } = await import("../../src/commands/delete.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["rm", "a", "b", "-y", "--if-exists"]);
    expect(run).toHaveBeenCalledWith({ ids: ["a", "b"], yes: true, ifExists: true }, DEPS);
  });

  it("test: without an id", async () => {
    const { register } = await import("../../src/commands/test.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["test", "--uri", "http://h", "--password-stdin"]);
    expect(run).toHaveBeenCalledWith({ ids: [], uri: "http://h", passwordStdin: true }, DEPS);
  });

  it("test: several ids, worker flags, --wait in seconds; a bad --wait is a usage error", async () => {
    const { register } = await import("../../src/commands/test.js");
    const run = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, run),
      ["test", "a", "b", "--on-worker", "--executor", "E", "--queue", "q", "--wait", "2.5"],
    );
    expect(run).toHaveBeenCalledWith({ ids: ["a", "b"], onWorker: true, executor: "E", queue: "q", wait: 2.5 }, DEPS);
    await parse((p) => register(p, ctx, run), ["test", "--prefix", "a|b", "--pattern", "%x%"]);
    expect(run).toHaveBeenLastCalledWith({ ids: [], prefix: "a|b", pattern: "%x%" }, DEPS);
    await parse((p) => register(p, ctx, run), ["test", "--poll", "tok"]);
    expect(run).toHaveBeenLastCalledWith({ ids: [], poll: "tok" }, DEPS);
    await expect(parse((p) => register(p, ctx, run), ["test", "a", "--on-worker", "--wait", "0"])).rejects.toThrow(
      /--wait takes seconds/,
    );
    expect(run).toHaveBeenCalledTimes(3);
  });

  it("list --prefix, create --test-first, status", async () => {
    const list = vi.fn(async () => {});
    const { register: regList } = await import("../../src/commands/list.js");
    await parse((p) => regList(p, ctx, list), ["list", "--prefix", "conn_0001"]);
    expect(list).toHaveBeenCalledWith({ prefix: "conn_0001" }, DEPS);
    const create = vi.fn(async () => {});
    const { register: regCreate } = await import("../../src/commands/create.js");
    await parse((p) => regCreate(p, ctx, create), ["create", "c", "--type", "http", "--test-first"]);
    expect(create).toHaveBeenCalledWith({ id: "c", type: "http", testFirst: true }, DEPS);
    const status = vi.fn(async () => {});
    const { register: regStatus } = await import("../../src/commands/status.js");
    await parse((p) => regStatus(p, ctx, status), ["status"]);
    expect(status).toHaveBeenCalledWith(DEPS);
  });

  it("create --test-first: --executor, --queue, --wait parsed as for test --on-worker; a bad --wait is a usage error", async () => {
    const { register } = await import("../../src/commands/create.js");
    const run = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, run),
      ["create", "c", "--type", "http", "--test-first", "--executor", "E", "--queue", "q", "--wait", "2.5"],
    );
    expect(run).toHaveBeenCalledWith(
      { id: "c", type: "http", testFirst: true, executor: "E", queue: "q", wait: 2.5 },
      DEPS,
    );
    // parsing alone does not tie them to --test-first: runCreate refuses them without it (commands/create.test.ts)
    await parse((p) => register(p, ctx, run), ["create", "c", "--type", "http", "--wait", "120"]);
    expect(run).toHaveBeenLastCalledWith({ id: "c", type: "http", wait: 120 }, DEPS);
    for (const bad of ["0", "-1", "abc", "86401", "1e3"]) {
      await expect(
        parse((p) => register(p, ctx, run), ["create", "c", "--type", "http", "--test-first", "--wait", bad]),
        bad,
      ).rejects.toThrow(`--wait takes seconds (more than 0, at most 86400), got "${bad}"`);
    }
    await expect(
      parse((p) => register(p, ctx, run), ["create", "c", "--test-first", "--executor"]),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("test and create share one definition of --executor, --queue, --wait", async () => {
    const { register: regTest } = await import("../../src/commands/test.js");
    const { register: regCreate } = await import("../../src/commands/create.js");
    const program = new Command("airconn");
    regTest(
      program,
      ctx,
      vi.fn(async () => {}),
    );
    regCreate(
      program,
      ctx,
      vi.fn(async () => {}),
    );
    const opts = (name: string) =>
      Object.fromEntries(
        program.commands
          .find((c) => c.name() === name)!
          .options.filter((o) => ["--executor", "--queue", "--wait"].includes(o.long!))
          .map((o) => [o.long, [o.flags, o.parseArg, o.description.replace(/^with [^:]*: /, "")]]),
      );
    expect(Object.keys(opts("create"))).toEqual(["--executor", "--queue", "--wait"]);
    expect(opts("create")).toEqual(opts("test"));
    expect(
      program.commands.find((c) => c.name() === "create")!.options.find((o) => o.long === "--wait")!.description,
    ).toBe("with --test-first (Airflow 3.3): how long to wait for the result (default 90)");
  });

  it("defaults", async () => {
    const { register } = await import("../../src/commands/defaults.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["defaults"]);
    expect(run).toHaveBeenCalledWith(DEPS);
  });

  it("bulk: --chunk-size bounds, --format choices", async () => {
    const { register } = await import("../../src/commands/bulk.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["bulk", "-", "--dry-run", "--chunk-size", "10", "--format", "yaml"]);
    expect(run).toHaveBeenCalledWith({ file: "-", dryRun: true, chunkSize: 10, format: "yaml" }, DEPS);
    await expect(parse((p) => register(p, ctx, run), ["bulk", "-", "--format", "xml"])).rejects.toThrow(
      /Allowed choices are json, yaml/,
    );
    await expect(parse((p) => register(p, ctx, run), ["bulk", "-", "--chunk-size", "0"])).rejects.toThrow(
      /--chunk-size must be between 1 and 10000/,
    );
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("import: --on-existence defaults to fail", async () => {
    const { register } = await import("../../src/commands/import.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["import", "c.json"]);
    expect(run).toHaveBeenLastCalledWith({ file: "c.json", onExistence: "fail" }, DEPS);
    await parse(
      (p) => register(p, ctx, run),
      ["import", "-", "--format", "env", "--on-existence", "overwrite", "--dry-run", "--chunk-size", "100"],
    );
    expect(run).toHaveBeenLastCalledWith(
      { file: "-", format: "env", onExistence: "overwrite", dryRun: true, chunkSize: 100 },
      DEPS,
    );
  });

  it("export: an optional file, --serialization-format choices", async () => {
    const { register } = await import("../../src/commands/export.js");
    const run = vi.fn(async () => {});
    await parse((p) => register(p, ctx, run), ["export", "--pattern", "a%", "--serialization-format", "json"]);
    expect(run).toHaveBeenCalledWith({ file: undefined, pattern: "a%", serializationFormat: "json" }, DEPS);
  });

  it("diff and apply", async () => {
    const { register } = await import("../../src/commands/apply.js");
    const diff = vi.fn(async () => {}),
      apply = vi.fn(async () => {});
    await parse(
      (p) => register(p, ctx, { diff, apply }),
      ["diff", "c.yaml", "--prune", "--exit-code", "--pattern", "t_%"],
    );
    expect(diff).toHaveBeenCalledWith({ file: "c.yaml", prune: true, exitCode: true, pattern: "t_%" }, DEPS);
    await parse((p) => register(p, ctx, { diff, apply }), ["apply", "c.yaml", "--dry-run", "-y", "--update-secrets"]);
    expect(apply).toHaveBeenCalledWith({ file: "c.yaml", dryRun: true, yes: true, updateSecrets: true }, DEPS);
  });

  it("login and logout", async () => {
    const { register } = await import("../../src/commands/login.js");
    const login = vi.fn(async () => {}),
      logout = vi.fn(async () => {});
    await parse((p) => register(p, ctx, { login, logout }), ["login", "--username", "u", "--password-stdin"]);
    expect(login).toHaveBeenCalledWith({ username: "u", passwordStdin: true }, DEPS);
    await parse((p) => register(p, ctx, { login, logout }), ["logout"]);
    expect(logout).toHaveBeenCalledWith(DEPS);
  });

  it("profile subcommands", async () => {
    const { register } = await import("../../src/commands/profile.js");
    const run = {
      list: vi.fn(async () => {}),
      show: vi.fn(async () => {}),
      use: vi.fn(async () => {}),
      set: vi.fn(async () => {}),
      remove: vi.fn(async () => {}),
    };
    const go = (argv: string[]) => parse((p) => register(p, ctx, run), argv);
    await go(["profile", "list"]);
    expect(run.list).toHaveBeenCalledWith(DEPS);
    await go(["profile", "show"]);
    expect(run.show).toHaveBeenCalledWith(undefined, DEPS);
    await go(["profile", "use", "staging"]);
    expect(run.use).toHaveBeenCalledWith("staging", DEPS);
    await go(["profile", "set", "p1", "--api-url", "http://x", "--token-command", "echo t"]);
    expect(run.set).toHaveBeenCalledWith("p1", { apiUrl: "http://x", tokenCommand: "echo t" }, DEPS);
    await go(["profile", "rm", "p1"]);
    expect(run.remove).toHaveBeenCalledWith("p1", DEPS);
  });
});
