// The provider's form at a terminal (issue 21): the type from a searchable list, only the standard fields the type's
// form shows (under its labels, placeholders as examples, never as values), its extra fields by kind, the summary
// (secrets as ***), the id asked when missing, and `patch` with the stored values as defaults (a stored secret kept,
// never sent back). The prompt functions run on a hand-built catalog; runCreate and runPatch against the local server.
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_LABELS, type Catalog, type ConnectionTypeInfo, type ExtraField } from "../../src/catalog/model.js";
import { runCreate } from "../../src/commands/create.js";
import { runPatch } from "../../src/commands/patch.js";
import {
  changesSummary,
  noChanges,
  promptConnectionChanges,
  promptNewConnection,
  summary,
} from "../../src/prompts/connection.js";
import { extraValueProblem, standardMessage, typeChoices } from "../../src/prompts/form.js";
import { testIO } from "../../src/output/io.js";
import { fromJs, pyDumps } from "../../src/util/pyjson.js";
import { CANCEL, closeAirflows, fakeAirflow, fakePrompter, setup, type Answer } from "./commands-support.js";
import { connection } from "../support/connection.js";

afterEach(closeAirflows);

// ---------------------------------------------------------------------------------------------- a small catalog

const shown = { hidden: false };
const hidden = { hidden: true };
const fields = (o: Partial<ConnectionTypeInfo["fields"]> = {}): ConnectionTypeInfo["fields"] => ({
  host: shown,
  schema: shown,
  login: shown,
  password: shown,
  port: shown,
  description: shown,
  ...o,
});
const extra = (name: string, o: Partial<ExtraField> = {}): ExtraField => ({
  name,
  label: name,
  kind: "string",
  secret: false,
  ...o,
});

const AWS: ConnectionTypeInfo = {
  type: "aws",
  name: "Amazon Web Services",
  provider: "apache-airflow-providers-amazon",
  fields: fields({
    host: hidden,
    schema: hidden,
    port: hidden,
    login: { hidden: false, label: "AWS Access Key ID", placeholder: "YOUR_AWS_ACCESS_KEY_ID" },
    password: { hidden: false, label: "AWS Secret Access Key", placeholder: "YOUR_AWS_SECRET_ACCESS_KEY" },
  }),
  extras: [],
};
/** Every kind of extra field: an enum with a default, a boolean without one, a checked integer, a secret, JSON. */
const ACME: ConnectionTypeInfo = {
  type: "acme",
  name: "Acme CRM",
  fields: fields({ schema: hidden, port: hidden, host: { hidden: false, label: "CRM endpoint" } }),
  extras: [
    extra("tenant", { label: "Tenant", description: "Your tenant id." }),
    extra("region", { label: "Region", choices: ["eu", "us"], default: "eu" }),
    extra("verify", { label: "Verify TLS", kind: "boolean" }),
    extra("page_size", { label: "Page size", kind: "integer", minimum: 1, maximum: 1000, default: 100 }),
    extra("api_key", { label: "API key", secret: true }),
    extra("headers", { label: "Headers", kind: "object" }),
  ],
};
const PLAIN: ConnectionTypeInfo = { type: "postgres", name: "PostgreSQL", fields: fields(), extras: [] };
const CATALOG: Catalog = { source: { kind: "bundled", reason: "a test" }, types: [ACME, AWS, PLAIN] };

/** The messages asked, in order, each once (a re-asked prompt is one). */
const messages = (fp: ReturnType<typeof fakePrompter>) =>
  fp.asked.map((a) => a.message).filter((m, i, all) => all[i - 1] !== m);

async function create(answers: Answer[], preset = {}, catalog = CATALOG) {
  const fp = fakePrompter(answers);
  const io = testIO();
  const body = await promptNewConnection(fp.prompter, "c1", preset, (s) => io.err(s), catalog);
  return { body, fp, stderr: io.stderr() };
}

describe("the type: a list searched by type or name; a type not listed can be typed in", () => {
  it("nothing typed: every type, the most used first; typed: matches by type or name, best first", () => {
    expect(typeChoices(CATALOG, undefined).map((c) => c.value)).toEqual(["postgres", "aws", "acme"]);
    expect(typeChoices(CATALOG, "amaz").map((c) => c.value)).toEqual(["aws", "amaz"]);
    expect(typeChoices(CATALOG, "crm").map((c) => c.value)).toEqual(["acme", "crm"]);
    expect(typeChoices(CATALOG, "AWS")[0]).toMatchObject({ value: "aws", name: "aws  Amazon Web Services" });
    // the exact type is not offered twice; blanks are no type
    expect(typeChoices(CATALOG, "aws").map((c) => c.value)).toEqual(["aws"]);
    expect(typeChoices(CATALOG, "my hook")).toEqual([]);
    expect(typeChoices(CATALOG, "my_hook")).toEqual([
      { name: "my_hook  (use as typed: not in the catalog)", value: "my_hook", short: "my_hook" },
    ]);
    // patch: a stored type the catalog lacks is listed
    expect(typeChoices(CATALOG, undefined, "my_hook").map((c) => c.value)).toContain("my_hook");
  });
});

describe("create: the type's form", () => {
  it("aws: only the fields its form shows, under its labels; a placeholder is an example, Enter stores nothing", async () => {
    const { body, fp, stderr } = await create(["aws", "", "", "", "", true]);
    expect(messages(fp)).toEqual([
      "Connection type (type to search)",
      "AWS Access Key ID (login; e.g. YOUR_AWS_ACCESS_KEY_ID)",
      "AWS Secret Access Key (password; e.g. YOUR_AWS_SECRET_ACCESS_KEY)",
      "Extra (JSON)",
      "Description",
      "Create connection c1?",
    ]);
    expect(fp.asked.filter((a) => a.kind === "input").every((a) => a.default === undefined)).toBe(true);
    expect(fp.asked[2]!.kind).toBe("password");
    expect(body).toEqual({ connection_id: "c1", conn_type: "aws" });
    expect(stderr).toContain("Amazon Web Services (aws): the form from the catalog bundled with airconn (a test)");
  });

  it("aws answered: exactly the answers; the summary masks the secret and lists only what is stored", async () => {
    const { body, stderr } = await create([
      "aws",
      "AKIAEXAMPLE",
      "wJalrXUtnFEMI",
      '{"region_name": "eu-west-1"}',
      "",
      true,
    ]);
    expect(body).toEqual({
      connection_id: "c1",
      conn_type: "aws",
      login: "AKIAEXAMPLE",
      password: "wJalrXUtnFEMI",
      extra: '{"region_name": "eu-west-1"}',
    });
    expect(stderr).not.toContain("wJalrXUtnFEMI");
    expect(stderr).toContain(
      "About to create:\n  connection_id  c1\n  conn_type      aws\n  login          AKIAEXAMPLE\n  password       ***\n  extra\n    region_name  eu-west-1\n\n",
    );
  });

  it("extra fields by kind: choices, yes/no, checked numbers, a masked secret, JSON; Enter takes a default", async () => {
    const { body, fp, stderr } = await create([
      "acme",
      "https://crm.example", // CRM endpoint
      "me", // Login
      "pw", // Password
      "t-042", // Tenant
      "", // Region: Enter takes the default (eu)
      "no", // Verify TLS
      "abc",
      "0",
      "5000",
      "250", // Page size: not a number, below the minimum, above the maximum, then fine
      "k3y-s3cret", // API key (masked)
      "[1]",
      '{"X-Team": "data"}', // Headers: must be an object
      '{"tenant": "x"}',
      '{"retries": 3}', // Other extra keys: tenant was asked above
      "", // Description
      true,
    ]);
    expect(fp.left()).toBe(0);
    expect(messages(fp).slice(1, -1)).toEqual([
      "CRM endpoint (host)",
      "Login",
      "Password",
      "Tenant: Your tenant id.",
      "Region",
      "Verify TLS [verify]",
      "Page size",
      "API key",
      "Headers",
      "Other extra keys (JSON)",
      "Description",
    ]);
    const ask = (m: string) => fp.asked.find((a) => a.message.startsWith(m))!;
    expect(ask("Region")).toMatchObject({ kind: "select", choices: ["(not set)", "eu", "us"], default: "0" });
    expect(ask("Verify TLS")).toMatchObject({ kind: "select", choices: ["(not set)", "yes", "no"] });
    expect(ask("Page size")).toMatchObject({ kind: "input", default: "100" });
    expect(ask("API key").kind).toBe("password");
    expect(fp.rejected).toEqual([
      'Page size must be a whole number, not "abc"',
      "Page size must be at least 1, not 0",
      "Page size must be at most 1000, not 5000",
      'Headers must be a JSON object, e.g. {"key": "value"}',
      "tenant: asked above; leave it out here",
    ]);
    expect(body.extra).toBe(
      '{"tenant": "t-042", "region": "eu", "verify": false, "page_size": 250, "api_key": "k3y-s3cret", "headers": {"X-Team": "data"}, "retries": 3}',
    );
    expect(stderr).toContain("    api_key    ***\n");
    expect(stderr).not.toContain("k3y-s3cret");
    expect(stderr).toContain("Acme CRM's extra fields (Enter takes the value shown or leaves the field out):");
  });

  it("Enter at every extra field: the defaults shown are stored, the others left out", async () => {
    const { body } = await create(["acme", "", "", "", "", "", "", "", "", "", "", "", true]);
    expect(body).toEqual({ connection_id: "c1", conn_type: "acme", extra: '{"region": "eu", "page_size": 100}' });
  });

  it("flags given are not asked (--type alone: its form); --extra skips the extra fields; a custom type gets the six", async () => {
    const a = await create(["pw", "", "", true], { conn_type: "aws", login: "AKIA" });
    expect(messages(a.fp)).toEqual([
      "AWS Secret Access Key (password; e.g. YOUR_AWS_SECRET_ACCESS_KEY)",
      "Extra (JSON)",
      "Description",
      "Create connection c1?",
    ]);
    expect(a.body).toEqual({ connection_id: "c1", conn_type: "aws", login: "AKIA", password: "pw" });
    const b = await create(["", "", "", "", true], { conn_type: "acme", extra: '{"tenant": "t"}' });
    expect(messages(b.fp)).toEqual([
      "CRM endpoint (host)",
      "Login",
      "Password",
      "Description",
      "Create connection c1?",
    ]);
    expect(b.body.extra).toBe('{"tenant": "t"}');
    const c = await create(["", "", "", "", "", "", "", true], { conn_type: "my_hook" });
    const six = (["host", "port", "login", "password", "schema"] as const).map((f) => DEFAULT_LABELS[f]);
    expect(messages(c.fp).slice(0, -1)).toEqual([...six, "Extra (JSON)", "Description"]);
    expect(c.stderr).toContain(
      "my_hook is not in the catalog bundled with airconn (a test): the standard fields are asked",
    );
  });

  it("*** is refused as a secret (it would be stored literally); no at the end cancels", async () => {
    const { body, stderr } = await create([
      "acme",
      "",
      "",
      "***",
      "pw",
      "",
      "",
      "",
      "",
      "***",
      "real",
      "",
      "",
      "",
      true,
    ]);
    expect(stderr).toContain('  "***" is how Airflow hides a password; type the real one or leave it empty\n');
    expect(body.password).toBe("pw");
    expect(body.extra).toContain('"api_key": "real"');
    await expect(create(["aws", "", "", "", "", false])).rejects.toThrow(/not created \(answered no\)/);
  });
});

describe("the summaries", () => {
  it("create: only stored fields; secrets by the provider and by the server's words masked, numbers kept", () => {
    const s = summary(
      {
        connection_id: "x",
        conn_type: "acme",
        password: "pw",
        extra: pyDumps(fromJs({ api_key: "k", proxy_port: 80, proxy_host: "p", tenant: "t" })),
      },
      new Set(["api_key"]),
    );
    expect(s).toBe(
      "\nAbout to create:\n  connection_id  x\n  conn_type      acme\n  password       ***\n  extra\n    api_key     ***\n    proxy_port  80\n    proxy_host  ***\n    tenant      t\n\n",
    );
  });
  it("patch: each change, cleared and removed said so", () => {
    const c = {
      fields: { host: "h2", password: "pw" },
      unset: ["schema" as const],
      setExtra: [["k", "v"]] as never,
      unsetExtra: ["old"],
    };
    expect(changesSummary("x", c)).toBe(
      "\nAbout to change x:\n  host       h2\n  password   ***\n  schema     (cleared)\n  extra.k    v\n  extra.old  (removed)\n\n",
    );
  });
});

describe("create through runCreate at a terminal (the local server's catalog)", () => {
  it("no id: asked (an invalid one asked again); --type alone asks the type's form", async () => {
    const af = await fakeAirflow();
    const fp = fakePrompter(["bad id", "s3_1", "AKIA", "", "", "", true]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runCreate({ type: "aws" }, d))).toBe(0);
    expect(messages(fp)[0]).toBe("Connection id");
    expect(fp.rejected[0]).toMatch(/invalid connection id "bad id"/);
    expect(messages(fp)[1]).toMatch(/^AWS Access Key ID/);
    expect(af.writes().map((r) => r.json)).toEqual([{ connection_id: "s3_1", conn_type: "aws", login: "AKIA" }]);
    expect(s.io.stderr()).toContain("the form from the server's catalog");
  });

  it("no id without a terminal: the usage error of a missing argument, exit 2, nothing sent", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af });
    expect(await s.run((d) => runCreate({ type: "http" }, d))).toBe(2);
    expect(s.io.stderr()).toMatch(/^airconn: missing required argument 'connection-id'\n/);
    expect(af.requests).toEqual([]);
  });

  it("an id that exists is said before the questions (exit 5, nothing asked); --if-not-exists: exit 0", async () => {
    const af = await fakeAirflow([{ connection_id: "taken", conn_type: "http" }]);
    const fp = fakePrompter([]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runCreate({ id: "taken", type: "aws" }, d))).toBe(5);
    expect(s.io.stderr()).toMatch(/^airconn: connection taken already exists\n/);
    expect(messages(fp)).toEqual([]);
    expect(af.writes()).toEqual([]);
    const again = setup({ airflow: af, tty: true, prompter: fakePrompter([]).prompter });
    expect(await again.run((d) => runCreate({ id: "taken", ifNotExists: true }, d))).toBe(0);
    expect(again.io.stderr()).toContain("connection taken already exists; nothing changed (--if-not-exists)");
    expect(af.writes()).toEqual([]);
  });

  it("Ctrl-C at the id: exit 130, nothing sent", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, tty: true, prompter: fakePrompter([CANCEL]).prompter });
    expect(await s.run((d) => runCreate({}, d))).toBe(130);
    expect(af.requests).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------------- patch

const STORED = connection({
  connection_id: "a1",
  conn_type: "acme",
  host: "https://crm.example",
  login: "me",
  password: "***",
  schema: "leftover",
  extra: '{"extra__acme__tenant": "t-1", "region": "us", "verify": true, "api_key": "***", "note": "keep me"}',
});

async function patchForm(answers: Answer[], stored = STORED) {
  const fp = fakePrompter(answers);
  const io = testIO();
  const c = await promptConnectionChanges(fp.prompter, stored, (s) => io.err(s), CATALOG);
  return { c, fp, stderr: io.stderr() };
}

describe("patch: the same form, the stored values as defaults", () => {
  it("Enter everywhere: nothing changed, nothing asked to confirm; the stored values are the defaults", async () => {
    const { c, fp, stderr } = await patchForm(["", "", "", "", "", "", "", "", "", "", "", ""]);
    expect(noChanges(c)).toBe(true);
    expect(fp.left()).toBe(0);
    expect(stderr).toContain("Nothing changed: nothing is sent.");
    const d = (m: string) => fp.asked.find((a) => a.message.startsWith(m))!.default;
    expect(d("Connection type")).toBe("acme");
    expect(d("CRM endpoint")).toBe("https://crm.example");
    expect(d("Tenant")).toBe("t-1"); // from the legacy extra__acme__tenant key
    expect(d("Page size")).toBeUndefined(); // not stored: the provider's default is not offered (Enter adds nothing)
    expect(d("Other extra keys")).toBe('{"note": "keep me"}');
    expect(fp.asked.find((a) => a.message.startsWith("Password"))).toMatchObject({
      kind: "password",
      message: "Password (Enter keeps the stored one)",
    });
    expect(fp.asked.find((a) => a.message.startsWith("API key"))!.kind).toBe("password");
  });

  it("changes: only what changed; a legacy key rewritten bare; the stored secrets kept, never ***", async () => {
    const { c, stderr } = await patchForm([
      "", // type
      "https://crm2.example", // CRM endpoint
      "", // Login kept
      "", // Password kept
      "t-2", // Tenant (was extra__acme__tenant)
      "", // Region kept
      "(not set)", // Verify TLS: removed
      "", // Page size: not stored, stays out
      "", // API key kept
      "", // Headers
      "{}", // Other extra keys: note removed
      "", // Description
      true,
    ]);
    expect(c).toEqual({
      fields: { host: "https://crm2.example" },
      unset: [],
      setExtra: [["tenant", "t-2"]],
      unsetExtra: ["extra__acme__tenant", "verify", "note"],
    });
    expect(stderr).toContain("About to change a1:\n");
    expect(stderr).toMatch(/^ {2}extra\.verify +\(removed\)$/m);
    expect(stderr).toMatch(/^ {2}extra\.extra__acme__tenant +\(removed\)$/m);
  });

  it("a field emptied is cleared; a hidden field with a stored value is kept, not asked", async () => {
    const stored = { ...STORED, conn_type: "postgres", port: 5432, schema: "sales" };
    // Backspace then Enter at a prompt with a default answers "" (the fake takes "" as Enter): a blank answer
    const fp = fakePrompter(["", "", "", "", "", " ", "", "", true]);
    const c = await promptConnectionChanges(fp.prompter, stored, () => {}, CATALOG);
    expect(c.unset).toEqual(["schema"]);
    const acme = await patchForm(["", "", "", "", "", "", "", "", "", "", "", "", true]);
    expect(acme.fp.asked.some((a) => a.message.startsWith("Schema"))).toBe(false); // acme hides it: "leftover" stays
    expect(acme.c.unset).toEqual([]);
  });
});

describe("patch through runPatch", () => {
  const seeded = () =>
    fakeAirflow([
      {
        connection_id: "sf",
        conn_type: "snowflake",
        login: "me",
        password: "pw-stored",
        extra: '{"account": "xy1", "warehouse": "wh1", "private_key_content": "pk-stored"}',
      },
    ]);

  it("at a terminal with no flags: the form; the PATCH names only what changed; the stored secrets stay", async () => {
    const af = await seeded();
    const fp = fakePrompter([
      "", // type snowflake
      "", // Login
      "", // Password: Enter keeps the stored one
      "", // Schema
      "", // Account
      "wh2", // Warehouse
      ...Array(13).fill(""), // the 11 other snowflake fields, other extra keys, description
      true,
    ]);
    const s = setup({ airflow: af, tty: true, prompter: fp.prompter });
    expect(await s.run((d) => runPatch({ id: "sf" }, d))).toBe(0);
    expect(fp.left()).toBe(0);
    const [patch, ...more] = af.writes();
    expect(more).toEqual([]);
    expect(patch!.query.getAll("update_mask")).toEqual(["extra"]);
    const body = patch!.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["conn_type", "connection_id", "extra"]);
    expect(af.stored("sf")).toMatchObject({
      password: "pw-stored",
      extra: '{"account": "xy1", "warehouse": "wh2", "private_key_content": "pk-stored"}',
    });
  });

  it("a new password is sent alone (update_mask=password); answering no: exit 130, nothing sent", async () => {
    const af = await seeded();
    const answers = ["", "", "new-pw", ...Array(16).fill("")];
    const s = setup({ airflow: af, tty: true, prompter: fakePrompter([...answers, true]).prompter });
    expect(await s.run((d) => runPatch({ id: "sf" }, d))).toBe(0);
    expect(af.writes()[0]!.query.getAll("update_mask")).toEqual(["password"]);
    expect(af.stored("sf")!.password).toBe("new-pw");
    const t = setup({
      airflow: af,
      tty: true,
      prompter: fakePrompter(["", "", "other", ...answers.slice(3), false]).prompter,
    });
    expect(await t.run((d) => runPatch({ id: "sf" }, d))).toBe(130);
    expect(af.writes()).toHaveLength(1);
  });

  it("nothing changed: exit 0, no PATCH; without a terminal: the usage error as before; with a flag: no form", async () => {
    const af = await seeded();
    const s = setup({ airflow: af, tty: true, prompter: fakePrompter(Array(19).fill("")).prompter });
    expect(await s.run((d) => runPatch({ id: "sf" }, d))).toBe(0);
    expect(s.io.stderr()).toContain("Nothing changed: nothing is sent.");
    const t = setup({ airflow: af });
    expect(await t.run((d) => runPatch({ id: "sf" }, d))).toBe(2);
    expect(t.io.stderr()).toMatch(/nothing to change/);
    const u = setup({ airflow: af, tty: true });
    expect(await u.run((d) => runPatch({ id: "sf", host: "h" }, d))).toBe(0);
    expect(af.writes()).toHaveLength(1);
  });

  it("a missing connection: exit 3 before any prompt", async () => {
    const af = await fakeAirflow();
    const s = setup({ airflow: af, tty: true });
    expect(await s.run((d) => runPatch({ id: "nope" }, d))).toBe(3);
  });
});

describe("the inquirer prompter's search", () => {
  afterEach(() => {
    vi.doUnmock("@inquirer/prompts");
    vi.resetModules();
  });
  it("passes the choices escaped, the default, and returns the value itself", async () => {
    const seen: Array<Record<string, unknown>> = [];
    vi.doMock("@inquirer/prompts", () => ({
      search: async (o: { source: (t: string | undefined) => Array<{ value: string }>; default?: string }) => {
        seen.push({ ...o, listed: o.source("x") });
        return o.source("x")[0]!.value;
      },
    }));
    const { inquirerPrompter } = await import("../../src/prompts/prompter.js");
    const io = { ...testIO(), promptStreams: () => ({ input: process.stdin, output: process.stderr }) };
    const p = inquirerPrompter(io);
    const v = await p.search({
      message: "Type \x1b[2J",
      default: "b",
      source: (t) => [{ name: `a\x1b[8m${t}`, value: "v\x1b", short: "s\x07", description: "d\x1b" }],
    });
    expect(v).toBe("v\x1b");
    expect(seen[0]).toMatchObject({
      message: "Type \\x1b[2J",
      default: "b",
      listed: [{ name: "a\\x1b[8mx", value: "v\x1b", short: "s\\x07", description: "d\\x1b" }],
    });
  });
});

describe("extra values checked", () => {
  it("numbers (integer, number, range), JSON kinds, *** refused; empty always fits", () => {
    const n = extra("n", { label: "N", kind: "number", minimum: 0.5 });
    expect(extraValueProblem(n, "1.5e2")).toBeUndefined();
    expect(extraValueProblem(n, "0.1")).toBe("N must be at least 0.5, not 0.1");
    expect(extraValueProblem(n, "x")).toBe('N must be a number, not "x"');
    expect(extraValueProblem(extra("a", { kind: "array" }), '{"k": 1}')).toMatch(/must be a JSON array/);
    expect(extraValueProblem(extra("s"), "***")).toMatch(/how Airflow hides a secret/);
    expect(extraValueProblem(extra("i", { kind: "integer" }), "")).toBeUndefined();
    expect(standardMessage(PLAIN, "host")).toBe("Host");
  });
});
