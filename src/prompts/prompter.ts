// Prompts, drawn on stderr through @inquirer/prompts (loaded only when a prompt is shown).
// A closed or interrupted prompt becomes a CancelledError (exit 130).
// What a prompt shows (message, default, choices, a validation problem) has its control characters escaped (issue 18):
// a default from the server is shown as \x1b..., and answering with the default still returns the value itself.
import { CancelledError } from "../errors.js";
import type { IO } from "../output/io.js";
import { escapeControls, escapeText } from "../output/sanitize.js";

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  /** What the answered prompt shows (default: the name). */
  short?: string;
}
export interface Prompter {
  input(o: {
    message: string;
    default?: string;
    required?: boolean;
    validate?: (v: string) => true | string;
  }): Promise<string>;
  password(o: { message: string; validate?: (v: string) => true | string }): Promise<string>;
  select<T>(o: { message: string; choices: Array<Choice<T>>; default?: T }): Promise<T>;
  confirm(o: { message: string; default?: boolean }): Promise<boolean>;
  /**
   * A list filtered as the user types: `source` gives the choices for the text typed so far (undefined: nothing
   * typed); `default` is the choice first highlighted.
   */
  search<T>(o: { message: string; source: (term: string | undefined) => Array<Choice<T>>; default?: T }): Promise<T>;
}

export function inquirerPrompter(io: IO, signal?: AbortSignal): Prompter {
  const ctx = () => ({ ...io.promptStreams(), ...(signal ? { signal } : {}), clearPromptOnDone: false });
  const guard = async <T>(p: () => Promise<T>): Promise<T> => {
    try {
      return await p();
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === "ExitPromptError" || name === "AbortPromptError" || name === "CancelPromptError")
        throw new CancelledError("cancelled");
      throw e;
    }
  };
  const mod = () => import("@inquirer/prompts");
  const shownChoice = <T>(c: Choice<T>): Choice<T> => ({
    ...c,
    name: escapeControls(c.name),
    ...(c.description === undefined ? {} : { description: escapeText(c.description) }),
    ...(c.short === undefined ? {} : { short: escapeControls(c.short) }),
  });
  const safe = (validate?: (v: string) => true | string) =>
    validate &&
    ((v: string) => {
      const r = validate(v);
      return r === true ? true : escapeText(r);
    });
  return {
    input: (o) =>
      guard(async () => {
        const shown = o.default === undefined ? undefined : escapeControls(o.default);
        const v = await (await mod()).input(
          { message: escapeText(o.message), default: shown, required: o.required, validate: safe(o.validate) },
          ctx(),
        );
        return shown !== undefined && shown !== o.default && v === shown ? o.default! : v; // the default, as it is
      }),
    password: (o) =>
      guard(async () =>
        (await mod()).password({ message: escapeText(o.message), mask: "*", validate: safe(o.validate) }, ctx()),
      ),
    select: <T>(o: { message: string; choices: Array<Choice<T>>; default?: T }) =>
      guard(async () =>
        (await mod()).select<T>(
          {
            message: escapeText(o.message),
            default: o.default,
            pageSize: 12,
            choices: o.choices.map(shownChoice),
          },
          ctx(),
        ),
      ),
    confirm: (o) =>
      guard(async () => (await mod()).confirm({ message: escapeText(o.message), default: o.default ?? false }, ctx())),
    search: <T>(o: { message: string; source: (term: string | undefined) => Array<Choice<T>>; default?: T }) =>
      guard(async () =>
        (await mod()).search<T>(
          {
            message: escapeText(o.message),
            pageSize: 12,
            source: (term) => o.source(term).map(shownChoice),
            ...(o.default === undefined ? {} : { default: o.default }),
          },
          ctx(),
        ),
      ),
  };
}

/** Prompts only at a terminal (stdin and stderr), and never with --no-input or AIRCONN_NO_INPUT=1/true. */
export function canPrompt(io: IO, env: NodeJS.ProcessEnv, input: boolean): boolean {
  return io.stdinIsTTY && io.stderrIsTTY && input && env.AIRCONN_NO_INPUT !== "1" && env.AIRCONN_NO_INPUT !== "true";
}
