// Issue 21 meets issue 18: the connection-type catalog is server data too. A provider (or whoever can install one on
// the API server) writes the labels, placeholders, descriptions and key names the form and `airconn types` show, so
// control sequences in them must reach the terminal as visible escapes, never as bytes: not from `types` (table,
// plain rows), not from the interactive form's prompts. json keeps the exact data, with C1 and bidi controls escaped.
import { beforeAll, describe, expect, it } from "vitest";
import { haveCommand, registerSecret, runCliTty } from "../support/cli.js";
import { useFakeAirflow } from "../support/fake.js";
import { answerPrompts, KEY } from "../support/prompts.js";

const TITLE = "\x1b]0;PWNED\x07"; // sets the terminal's title
const RED = "\x1b[31mRED\x1b[0m";
const C1 = "\u009b2J"; // a C1 CSI: clears the screen on terminals that honour 8-bit controls
const BIDI = "\u202eevil";
const HOOK_META = [
  {
    connection_type: "evil",
    hook_class_name: "evil_provider.hooks.EvilHook",
    default_conn_name: null,
    hook_name: `Evil ${TITLE} Co`,
    standard_fields: {
      description: null,
      url_schema: null,
      host: { hidden: false, title: `Endpoint ${RED}`, placeholder: `e.g. ${C1}` },
      port: { hidden: true, title: null, placeholder: null },
      login: null,
      password: null,
    },
    extra_fields: {
      [`tok${TITLE}`]: {
        value: null,
        schema: { type: ["string", "null"], title: `Token ${BIDI}` },
        description: `desc ${C1}`,
        source: null,
      },
    },
  },
];
const RAW = /[\x07\u009b\u202e]|\x1b\]|\x1b\[31m|\x1b\[2J/;

const fake = useFakeAirflow({
  intercept: (q) => (q.path === "/ui/connections/hook_meta" ? { status: 200, json: HOOK_META } : undefined),
});
beforeAll(() => registerSecret(fake.server.adminToken));
const tty = process.platform === "linux" && haveCommand("script");

describe("hostile text in the server's catalog", () => {
  it("types, piped: the list and the form show the escapes, no control byte", async () => {
    const list = await fake.run(["types"]);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(RAW);
    expect(list.stdout).toContain("evil\tEvil \\x1b]0;PWNED\\x07 Co\t");
    const form = await fake.run(["types", "evil"]);
    expect(form.code).toBe(0);
    expect(form.stdout + form.stderr).not.toMatch(RAW);
    expect(form.stdout).toContain("Endpoint \\x1b[31mRED\\x1b[0m");
    expect(form.stdout).toContain("tok\\x1b]0;PWNED\\x07");
    expect(form.stdout).toContain("desc \\x9b2J");
  });

  it("types -o json: the exact data, every control character as a \\u escape", async () => {
    const r = await fake.run(["types", "evil", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    const doc = JSON.parse(r.stdout) as { name: string; standard_fields: { host: { label: string } } };
    expect(doc.name).toBe(`Evil ${TITLE} Co`);
    expect(doc.standard_fields.host.label).toBe(`Endpoint ${RED}`);
  });

  it.runIf(tty)("types at a terminal (table): nothing of it is executed", async () => {
    const r = await runCliTty(["types", "evil"], { env: { ...fake.env, NO_COLOR: "1" } });
    expect(r.code).toBe(0);
    expect(r.screen).not.toMatch(RAW);
    expect(r.screen).toContain("Endpoint \\x1b[31mRED\\x1b[0m");
    expect(r.screen).toContain("evil: Evil \\x1b]0;PWNED\\x07 Co");
  });

  it.runIf(tty)("the form's prompts at a terminal show the escapes; Ctrl-C: exit 130, nothing created", async () => {
    const steps = answerPrompts([{ after: /Endpoint/, keys: KEY.ctrlC }]);
    const r = await runCliTty(["create", "evil_1", "--type", "evil"], {
      env: { ...fake.env, NO_COLOR: "1" },
      onSpawn: steps.onSpawn,
    });
    expect(steps.left()).toBe(0);
    expect(r.code).toBe(130);
    // the prompt library draws with its own escape sequences (cursor, erase); none of the catalog's got through
    expect(r.stdout).not.toContain(TITLE);
    expect(r.stdout).not.toContain("\x1b[31m");
    expect(r.stdout).not.toMatch(/[\x07\u009b\u202e]/);
    expect(r.stdout).toContain("Endpoint \\x1b[31mRED\\x1b[0m");
    expect(r.stdout).toContain("Evil \\x1b]0;PWNED\\x07 Co");
    expect(fake.server.requests.filter((q) => q.method === "POST")).toEqual([]);
  });
});
