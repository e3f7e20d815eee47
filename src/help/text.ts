// A help topic as a few kinds of blocks, so that one text is shown in a terminal (here: 80 columns), in the generated
// Markdown reference and in the man page (./reference.ts). Inline `code` is kept as backquotes in a terminal.

export type Block =
  /** A heading inside the topic. */
  | { h: string }
  /** A paragraph, filled to the width. */
  | { p: string }
  /** Terms and their definitions: flags, variables, exit codes. */
  | { dl: Array<[term: string, definition: string]> }
  /** Lines shown as they are (commands, a table). */
  | { code: string[] };

export interface Topic {
  title: string;
  blocks: Block[];
}

/** The width topics are written for; a test keeps every line within it. */
export const WIDTH = 80;

/** Text written over several source lines, as one line. */
export const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

/** Greedy word wrap: the first line starts at `first` columns of indent, the others at `rest`. */
export function wrap(text: string, first: number, rest = first, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  let indent = first;
  for (const word of oneLine(text).split(" ")) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(" ".repeat(indent) + line);
      line = word;
      indent = rest;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(" ".repeat(indent) + line);
  return lines;
}

/** The widest a definition list's term column gets; a longer term puts its definition on the next line. */
const TERM_MAX = 24;

/** The column definitions start at: the same for every list of a topic, so that they line up. */
function termColumn(t: Topic): number {
  const terms = t.blocks.flatMap((b) => ("dl" in b ? b.dl.map(([term]) => term.length) : []));
  return 2 + Math.min(TERM_MAX, Math.max(0, ...terms.filter((n) => n <= TERM_MAX))) + 2;
}

function definitions(items: Array<[string, string]>, col: number): string[] {
  return items.flatMap(([term, def]) => {
    if (2 + term.length + 2 > col) return [`  ${term}`, ...wrap(def, col)];
    const [head, ...tail] = wrap(def, col);
    return [`  ${term.padEnd(col - 2)}${head!.trimStart()}`, ...tail];
  });
}

/** The topic as `airconn help TOPIC` prints it. */
export function topicText(t: Topic): string {
  const out: string[] = [t.title];
  const col = termColumn(t);
  let afterHeading = false;
  for (const b of t.blocks) {
    if (!afterHeading) out.push("");
    afterHeading = "h" in b;
    if ("h" in b) out.push(b.h);
    else if ("p" in b) out.push(...wrap(b.p, 0));
    else if ("dl" in b) out.push(...definitions(b.dl, col));
    else out.push(...b.code.map((l) => `  ${l}`));
  }
  return `${out.join("\n")}\n`;
}
