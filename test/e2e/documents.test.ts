// Issue 11: -o json and -o yaml (and export to stdout) print a whole valid document or nothing. The first or a later
// page fails on the local Airflow; stdout must stay empty and the exit code follow the contract.
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Faults } from "@airconn/fake-airflow";
import { useFakeAirflow } from "../support/fake.js";

const fake = useFakeAirflow({ seed: 250 }); // three pages of 100
afterEach(() => fake.server.setFaults(undefined));

/** Runs with a fault set (none: undefined); returns the result and how many list pages the server was asked for. */
async function run(args: string[], faults?: Faults) {
  fake.server.setFaults(faults);
  const before = fake.server.requests.length;
  const r = await fake.run(["--retries", "0", ...args]);
  fake.server.setFaults(undefined);
  return { r, pages: fake.since(before).filter((q) => q.path === "/api/v2/connections").length };
}

const firstPageFails: Faults = { status: 500, pathPattern: "^/api/v2/connections$" };
// The first page is fetched alone (it tells the total); the server then stops answering: every later page fails.
const laterPageFails: Faults = { dieAfterRequests: 1, pathPattern: "^/api/v2/connections$" };

describe.each([["json"], ["yaml"]])("list -o %s", (format) => {
  it("is one whole document when every page arrives", async () => {
    const { r, pages } = await run(["list", "-o", format]);
    expect(r.code, r.stderr).toBe(0);
    const doc = (format === "json" ? JSON.parse(r.stdout) : parseYaml(r.stdout)) as unknown[];
    expect(doc).toHaveLength(250);
    expect(pages).toBe(3);
  });

  it("first page fails (500): exit 1, stdout empty", async () => {
    const { r } = await run(["list", "-o", format], firstPageFails);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: Internal Server Error$/m); // the server's own text (its 500's detail)
  });

  it("first page refused by the server (--order-by bogus, 400): exit 2, stdout empty", async () => {
    const { r, pages } = await run(["list", "--order-by", "bogus", "-o", format]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: .*bogus/);
    expect(pages).toBe(1);
  });

  it("a later page fails: non-zero exit, stdout empty (no partial document)", async () => {
    const { r, pages } = await run(["list", "-o", format], laterPageFails);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^airconn: /m);
    expect(pages).toBe(2); // the first page, then the one the server died on
  });
});

describe("list -o plain streams rows (its readers read lines)", () => {
  it("a later page fails: exit 1, the rows already received are whole lines", async () => {
    const { r, pages } = await run(["list", "-o", "plain"], laterPageFails);
    expect(r.code).toBe(1);
    // the first page's 100 rows, each a whole line; nothing of the page that failed
    expect(r.stdout.endsWith("\n")).toBe(true);
    const lines = r.stdout.slice(0, -1).split("\n");
    expect(lines).toHaveLength(100);
    expect(lines.every((l) => l.length > 0)).toBe(true);
    expect(pages).toBe(2);
  });
});

describe.each([["json"], ["yaml"], ["env"]])("export - --format %s", (format) => {
  it("is the whole file when every page arrives", async () => {
    const { r } = await run(["export", "-", "--format", format]);
    expect(r.code, r.stderr).toBe(0);
    if (format === "json") expect(Object.keys(JSON.parse(r.stdout) as object)).toHaveLength(250);
    if (format === "yaml") expect(Object.keys(parseYaml(r.stdout) as object)).toHaveLength(250);
    if (format === "env") expect(r.stdout.trimEnd().split("\n")).toHaveLength(250);
  });

  it("first page fails: exit 1, stdout empty", async () => {
    const { r } = await run(["export", "-", "--format", format], firstPageFails);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
  });

  it("a later page fails: exit 1, stdout empty", async () => {
    const { r } = await run(["export", "-", "--format", format], laterPageFails);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
  });
});
