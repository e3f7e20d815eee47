// The interactive `create`: asks for the fields on a terminal, shows a summary (password as ***), asks to confirm.
// Only reached when Deps.canPrompt() is true. Prompts draw on stderr; answering "no" cancels (exit 130).
import { CancelledError } from "../errors.js";
import type { ConnectionBody } from "../api/types.js";
import type { Prompter } from "./prompter.js";
import { REDACTED, type Fields } from "../connection/model.js";
import { redactedPaths } from "../connection/secrets.js";
import { connTypeProblem, extraProblem, portTextProblem } from "../connection/validate.js";
import { pyLoads } from "../util/pyjson.js";
import { COMMON_CONN_TYPES } from "../connection/conn-types.js";
import { escapeControls } from "../output/sanitize.js";

/** Types offered in the menu: the most used of the shared list (completion offers all of them); anything else is typed in. */
export const COMMON_TYPES = COMMON_CONN_TYPES.slice(0, 13);
export const OTHER_TYPE = "\u0000other";

const PROMPT = { context: "prompt", path: "" } as const;
export const portProblem = (v: string): string | undefined => portTextProblem(v, PROMPT)?.message;

/**
 * Asks for every field not already given (preset values are kept and not asked again). Empty answers leave a field
 * out. Returns the body to create; throws CancelledError when the user cancels or answers no.
 */
export async function promptNewConnection(
  p: Prompter,
  id: string,
  preset: Partial<Fields>,
  write: (s: string) => void,
): Promise<ConnectionBody> {
  const body: ConnectionBody = { connection_id: id, conn_type: preset.conn_type ?? "" };
  const ask = async (message: string, validate?: (v: string) => string | undefined): Promise<string | undefined> => {
    for (;;) {
      const v = await p.input({ message, validate: validate ? (x) => validate(x) ?? true : undefined });
      const problem = validate?.(v);
      if (problem) {
        write(`  ${problem}\n`);
        continue;
      } // a prompter that did not validate: ask again
      return v.trim() === "" ? undefined : v;
    }
  };

  if (preset.conn_type === undefined) {
    const picked = await p.select<string>({
      message: "Connection type",
      choices: [
        ...COMMON_TYPES.map(([value, name]) => ({ name: `${value}  (${name})`, value })),
        { name: "other (type it)", value: OTHER_TYPE },
      ],
    });
    body.conn_type =
      picked === OTHER_TYPE
        ? (await ask("Connection type", (v) => connTypeProblem(v, PROMPT)?.message))!.trim()
        : picked;
  }
  const field = async <K extends keyof Fields>(
    k: K,
    message: string,
    validate?: (v: string) => string | undefined,
    conv?: (v: string) => Fields[K],
  ) => {
    if (preset[k] !== undefined) {
      body[k] = preset[k] as ConnectionBody[K];
      return;
    }
    const v = await ask(message, validate);
    if (v !== undefined) body[k] = (conv ? conv(v) : v) as ConnectionBody[K];
  };
  await field("host", "Host");
  await field("port", "Port", portProblem, (v) => Number(v.trim()));
  await field("login", "Login");
  if (preset.password !== undefined) body.password = preset.password;
  else {
    for (;;) {
      const pw = await p.password({
        message: "Password",
        validate: (v) =>
          v === REDACTED ? `"${REDACTED}" is how Airflow hides a password; type the real one or leave it empty` : true,
      });
      if (pw === REDACTED) {
        write(`  "${REDACTED}" is how Airflow hides a password; type the real one or leave it empty\n`);
        continue;
      }
      if (pw !== "") body.password = pw;
      break;
    }
  }
  await field("schema", "Schema");
  await field("extra", "Extra (JSON)", (v) => {
    if (v.trim() === "") return undefined;
    const problem = extraProblem(v, PROMPT);
    if (problem) return problem.message;
    const hidden = redactedPaths(pyLoads(v));
    return hidden.length
      ? `${hidden.join(", ")}: "${REDACTED}" is how Airflow hides a secret; type the real value or leave the key out`
      : undefined;
  });
  await field("description", "Description");
  if (preset.team_name !== undefined) body.team_name = preset.team_name;

  write(summary(body));
  const ok = await p.confirm({ message: `Create connection ${id}?`, default: true });
  if (!ok) throw new CancelledError("not created (answered no)");
  return body;
}

/** The fields about to be created, one per line, the password as ***; control characters as escapes (\x1b, \x0a). */
export function summary(b: ConnectionBody): string {
  const rows: Array<[string, unknown]> = [
    ["connection_id", b.connection_id],
    ["conn_type", b.conn_type],
    ["description", b.description],
    ["host", b.host],
    ["login", b.login],
    ["schema", b.schema],
    ["port", b.port],
    ["password", b.password ? REDACTED : undefined],
    ["extra", b.extra],
    ["team_name", b.team_name],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return (
    "\nAbout to create:\n" +
    rows
      .map(
        ([k, v]) =>
          `  ${k.padEnd(w)}  ${v === undefined || v === null ? "" : escapeControls(String(v))}`.trimEnd() + "\n",
      )
      .join("") +
    "\n"
  );
}
