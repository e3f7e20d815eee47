// Issue 11: the built CLI parses its command line like commander documents (one command tree, no hand-written scan),
// checked against the local Airflow: what was printed and what the server was asked.
import { beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { ORDER_BY_FIELDS } from "../../src/api/types.js";
import { runCli } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { listIds } from "../support/admin.js";

const fake = useFakeAirflow({ seed: 130 });
let closedUrl: string;

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
});

/** The ids the server itself returns for an order_by, all pages. */
const serverIds = (orderBy: string) => listIds(fake.server, `&order_by=${encodeURIComponent(orderBy)}`);

/** Runs the CLI; returns the result and the list requests the server received meanwhile. */
async function cli(args: string[], e: Record<string, string> = fake.env) {
  const before = fake.server.requests.length;
  const r = await runCli(args, { env: e });
  return { r, sent: fake.since(before).filter((q) => q.path === "/api/v2/connections") };
}

const ids = (stdout: string) => (JSON.parse(stdout) as Array<{ connection_id: string }>).map((c) => c.connection_id);

describe("command lines commander accepts", () => {
  it("airconn -vo json list: verbose, JSON, every connection (it used to exit 0 printing nothing)", async () => {
    const { r, sent } = await cli(["-vo", "json", "list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toHaveLength(130);
    expect(r.stderr).toMatch(/^\* GET .*\/api\/v2\/connections\?limit=100&offset=0 200 /m);
    expect(sent).toHaveLength(2);
  });

  it.each(ORDER_BY_FIELDS.map((f) => [f]))(
    "list --order-by -FIELD and --order-by=-FIELD sort like the server: %s",
    async (f) => {
      const want = await serverIds(`-${f}`);
      for (const args of [
        ["list", "--order-by", `-${f}`, "-o", "json"],
        ["list", `--order-by=-${f}`, "-o", "json"],
      ]) {
        const { r, sent } = await cli(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toBe("");
        expect(ids(r.stdout), args.join(" ")).toEqual(want);
        expect(
          sent.map((q) => q.query.getAll("order_by")),
          args.join(" "),
        ).toEqual(sent.map(() => [`-${f}`]));
      }
    },
  );

  it("-p after the command is still --profile; -port after --order-by is its value", async () => {
    const { r, sent } = await cli(["list", "--order-by", "-port", "-p", "nosuch", "-o", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^airconn: .*nosuch/);
    expect(r.stdout).toBe("");
    expect(sent).toHaveLength(0);
  });

  it("list -o=json: a usage error that says how to write it, nothing on stdout, nothing sent", async () => {
    const { r, sent } = await cli(["list", "-o=json"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `airconn: option '-o, --output <format>' argument '=json' is invalid. Write -o json, -ojson or --output=json (a short option takes no "=").\n`,
    });
    expect(sent).toHaveLength(0);
  });

  it("--api-url URL before or after the command overrides AIRCONN_API_URL; -ojson and --output=json", async () => {
    const wrong = { ...fake.env, AIRCONN_API_URL: closedUrl };
    const want = await serverIds("connection_id");
    for (const args of [
      ["list", "--api-url", fake.server.url, "-o", "json"],
      ["--api-url", fake.server.url, "list", "-o", "json"],
      ["list", `--api-url=${fake.server.url}`, "-ojson"],
      ["-ojson", "list", "--output=json", `--api-url=${fake.server.url}`],
    ]) {
      const { r, sent } = await cli(args, wrong);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(ids(r.stdout).sort()).toEqual([...want].sort());
      expect(sent.length).toBeGreaterThan(0);
    }
  });

  it("-- ends the options: get -- -x asks the server for the id -x", async () => {
    const before = fake.server.requests.length;
    const r = await fake.run(["get", "-o", "json", "--", "-x"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(fake.since(before).map((q) => q.path)).toEqual(["/api/v2/connections/-x"]);
  });

  it("a command with subcommands, given none, shows its usage and fails", async () => {
    const r = await fake.run(["profile"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Usage: airconn profile");
  });
});
