// Issue 20, item 8: one wording per validation rule, placed by a formatter per input context. The messages no test
// pinned before now use the common words; each case here shows one of them from the built CLI (exit 2, one line,
// nothing sent). The messages other tests pin (files, bulk, flags, the port prompt) are unchanged and tested there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAirflow, type FakeAirflow } from "@airconn/fake-airflow";
import { runCli, tempDir } from "../support/cli.js";

const tmp = tempDir("airconn-rule-wording-");
const f = (name: string) => join(tmp.dir, name);
const team51 = "t".repeat(51);

const FILES: Record<string, string> = {
  "bulk-empty-id.json": JSON.stringify({
    actions: [{ action: "create", entities: [{ connection_id: "", conn_type: "http" }] }],
  }),
  "bulk-long-team.json": JSON.stringify({
    actions: [{ action: "create", entities: [{ connection_id: "a", conn_type: "http", team_name: team51 }] }],
  }),
  "bulk-delete-long-id.json": JSON.stringify({ actions: [{ action: "delete", entities: ["d".repeat(251)] }] }),
  "file-long-team.yaml": `a:\n  conn_type: http\n  team_name: ${team51}\n`,
};

let server: FakeAirflow;
let env: Record<string, string>;
beforeAll(async () => {
  for (const [name, text] of Object.entries(FILES)) writeFileSync(f(name), text);
  server = await startFakeAirflow({ seed: 0 });
  env = { AIRCONN_API_URL: server.url, AIRCONN_TOKEN: server.adminToken, AIRCONN_CONFIG_DIR: f("config") };
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

const CASES: Array<[string, string[], string]> = [
  // The port rule in create --json: the words of --port and of bulk bodies (was "port 70000 is out of range 0-65535").
  [
    "create --json: a port out of range",
    ["create", "w_conn", "--json", '{"conn_type": "http", "port": 70000}'],
    "--json: port must be between 0 and 65535, got 70000",
  ],
  // The extra rule in a URI's __extra__: the words of --extra (was "... got other JSON.").
  [
    "create --uri: __extra__ that is not an object",
    ["create", "w_conn", "--uri", "http://h?__extra__=%5B1%5D"],
    'Invalid connection URI: __extra__: a JSON object is needed, such as {"key": "value"}, not an array.',
  ],
  [
    "create --uri: __extra__ that is not JSON",
    ["create", "w_conn", "--uri", "http://h?__extra__=nope"],
    "Invalid connection URI: __extra__: not valid JSON (Expecting value at char 0).",
  ],
  // The id and team name rules in bulk bodies: "is empty" and the length words of bulk ids.
  [
    "bulk: an empty id",
    ["bulk", f("bulk-empty-id.json")],
    `${f("bulk-empty-id.json")}:1: actions[0].entities[0].connection_id: is empty; nothing was sent`,
  ],
  [
    "bulk: a team name over 50 characters",
    ["bulk", f("bulk-long-team.json")],
    `${f("bulk-long-team.json")}:1: actions[0].entities[0].team_name: is 51 characters long: at most 50; nothing was sent`,
  ],
  [
    "bulk: a delete of an id over 250 characters",
    ["bulk", f("bulk-delete-long-id.json")],
    `${f("bulk-delete-long-id.json")}:1: actions[0].entities[0]: is 251 characters long: at most 250; nothing was sent`,
  ],
  // A connections file's team name: the length words (was "at most 50 characters").
  [
    "import: a team name over 50 characters",
    ["import", f("file-long-team.yaml"), "--dry-run"],
    `${f("file-long-team.yaml")}:3: a.team_name: is 51 characters long: at most 50`,
  ],
];

describe("one wording per rule, from the CLI", () => {
  it.each(CASES)("%s", async (_name, args, message) => {
    const before = server.requests.length;
    const r = await runCli(args, { env });
    const lines = r.stderr
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("hint: ") && !l.startsWith("airconn: warning: "));
    expect({ code: r.code, stdout: r.stdout, lines, sent: server.requests.length - before }).toEqual({
      code: 2,
      stdout: "",
      lines: [`airconn: ${message}`],
      sent: 0,
    });
  });
});
