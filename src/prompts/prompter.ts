// Prompts, drawn on stderr through @inquirer/prompts (loaded only when a prompt is shown).
// A closed or interrupted prompt becomes a CancelledError (exit 130).
import { CancelledError } from "../errors.js";
import type { IO } from "../output/io.js";

export interface Choice<T> { name: string; value: T; description?: string }
export interface Prompter {
  input(o: { message: string; default?: string; required?: boolean; validate?: (v: string) => true | string }): Promise<string>;
  password(o: { message: string; validate?: (v: string) => true | string }): Promise<string>;
  select<T>(o: { message: string; choices: Array<Choice<T>>; default?: T }): Promise<T>;
  confirm(o: { message: string; default?: boolean }): Promise<boolean>;
}

export function inquirerPrompter(io: IO, signal?: AbortSignal): Prompter {
  const ctx = () => ({ ...io.promptStreams(), ...(signal ? { signal } : {}), clearPromptOnDone: false });
  const guard = async <T>(p: () => Promise<T>): Promise<T> => {
    try {
      return await p();
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === "ExitPromptError" || name === "AbortPromptError" || name === "CancelPromptError") throw new CancelledError("cancelled");
      throw e;
    }
  };
  const mod = () => import("@inquirer/prompts");
  return {
    input: (o) => guard(async () => (await mod()).input({ message: o.message, default: o.default, required: o.required, validate: o.validate }, ctx())),
    password: (o) => guard(async () => (await mod()).password({ message: o.message, mask: "*", validate: o.validate }, ctx())),
    select: <T>(o: { message: string; choices: Array<Choice<T>>; default?: T }) =>
      guard(async () => (await mod()).select<T>({ message: o.message, choices: o.choices, default: o.default, pageSize: 12 }, ctx())),
    confirm: (o) => guard(async () => (await mod()).confirm({ message: o.message, default: o.default ?? false }, ctx())),
  };
}
