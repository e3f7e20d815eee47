// A progress line on stderr for work that may take a while (issue 18): shown only at a terminal, only once the work
// has taken longer than `delayMs`, redrawn in place ("\r\x1b[K"), and erased when done, so a fast command prints
// nothing and the line never ends up in a file or a pipe.
import type { IO } from "./io.js";

export interface Progress {
  /** The new state, e.g. "fetching connections… 300/3000"; drawn now if the line is already shown. */
  update(text: string): void;
  /** Erases the line (if it was shown) and stops; safe to call more than once. */
  done(): void;
}

export const PROGRESS_DELAY_MS = 1000;

const NONE: Progress = { update: () => {}, done: () => {} };

export function progressLine(io: IO, o: { enabled: boolean; text: string; delayMs?: number }): Progress {
  if (!o.enabled) return NONE;
  let text = o.text;
  let shown = false;
  let finished = false;
  const draw = () => io.err(`\r\x1b[K${text}`);
  const timer = setTimeout(() => {
    shown = true;
    draw();
  }, o.delayMs ?? PROGRESS_DELAY_MS);
  timer.unref?.();
  return {
    update(t) {
      text = t;
      if (shown && !finished) draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (shown) io.err("\r\x1b[K");
    },
  };
}
