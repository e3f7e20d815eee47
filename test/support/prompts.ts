// Answers a sequence of prompts in a pseudo-terminal (runCliTty): each answer is typed once its prompt's text has
// appeared on the terminal after the previous answer, so keys are never typed before the prompt reads them.
import type { RunOptions } from "./cli.js";
import { plain } from "./cli.js";

export const KEY = { enter: "\r", down: "\x1b[B", up: "\x1b[A", clearLine: "\x15", ctrlC: "\x03" } as const;

export interface Step {
  /** The prompt's text, looked for in what the terminal showed since the previous answer (escapes stripped). */
  after: RegExp;
  /** The keys to type (KEY.enter ends an answer). */
  keys: string;
}

/** A step that types `text` and Enter once `after` shows. */
export const answer = (after: RegExp, text = ""): Step => ({ after, keys: text + KEY.enter });

/**
 * An `onSpawn` for runCliTty that types each step's keys once its prompt shows (`delayMs` later, for the prompt to
 * finish drawing). `left()` says how many steps were never reached; `seen()` is the terminal's text so far.
 */
export function answerPrompts(steps: Step[], delayMs = 60) {
  let out = "",
    from = 0,
    next = 0,
    busy = false;
  const onSpawn: NonNullable<RunOptions["onSpawn"]> = (child) => {
    const check = () => {
      if (busy || next >= steps.length) return;
      const text = plain(out);
      const m = steps[next]!.after.exec(text.slice(from));
      if (!m) return;
      from += m.index + m[0].length;
      busy = true;
      const keys = steps[next]!.keys;
      next++;
      setTimeout(() => {
        child.stdin?.write(keys);
        busy = false;
        check();
      }, delayMs);
    };
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      check();
    });
  };
  return { onSpawn, left: () => steps.length - next, seen: () => plain(out) };
}
