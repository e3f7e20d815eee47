// Splits a shell command line, as a help example writes one, into its simple commands and their words, the way sh
// would: quotes and backslashes, `|`, `||`, `&&`, `;` and `&` between commands, redirections (`> f`, `2>&1`, `< f`)
// dropped with their targets, `# comments`, and the commands inside `$(...)` found too. Enough for examples, not a
// shell: no globbing, no expansion (a `$VAR` stays as it is written).

/** Every simple command of the line, in order, as its words; those inside `$(...)` come before the command using them. */
export function shellCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  let dropNext = false; // the next word is a redirection's target
  const endWord = () => {
    if (inWord) {
      if (dropNext) dropNext = false;
      else words.push(word);
    }
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (dropNext) throw new Error(`a redirection without a target in: ${line}`);
    if (words.length) commands.push(words);
    words = [];
  };
  /** The text of a `$(...)` starting at `i` (after "$("), and the index after its ")". */
  const substitution = (i: number): [string, number] => {
    let depth = 1;
    let quote: string | undefined;
    for (let j = i; j < line.length; j++) {
      const c = line[j]!;
      if (quote) {
        if (c === "\\" && quote === '"') j++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "\\") j++;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return [line.slice(i, j), j + 1];
    }
    throw new Error(`an unclosed $( in: ${line}`);
  };

  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      endWord();
      i++;
    } else if (c === "#" && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`an unclosed ' in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && '"\\$`'.includes(line[j + 1] ?? "")) word += line[++j];
        else if (line.startsWith("$(", j)) {
          const [inner, next] = substitution(j + 2);
          commands.push(...shellCommands(inner));
          word += line.slice(j, next);
          j = next - 1;
        } else word += line[j];
      }
      if (j >= line.length) throw new Error(`an unclosed " in: ${line}`);
      i = j + 1;
    } else if (c === "\\") {
      word += line[i + 1] ?? "";
      inWord = true;
      i += 2;
    } else if (line.startsWith("$(", i)) {
      const [inner, next] = substitution(i + 2);
      commands.push(...shellCommands(inner));
      word += line.slice(i, next);
      inWord = true;
      i = next;
    } else if (c === "|" || c === ";" || (c === "&" && !/^&>/.test(line.slice(i)))) {
      endCommand();
      i += line[i + 1] === c ? 2 : 1; // || and &&
    } else if (c === ">" || c === "<" || line.startsWith("&>", i)) {
      if (inWord && /^\d+$/.test(word)) {
        word = ""; // the file descriptor of 2> or 2>&1
        inWord = false;
      } else endWord();
      const op = /^(&>>?|>>|>&|<&|>\||<>|>|<)/.exec(line.slice(i))![1]!;
      i += op.length;
      dropNext = true;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  return commands;
}

/** Words that run the command after them (their own options first). */
const WRAPPERS: Record<string, { valued: string[] }> = {
  sudo: { valued: ["-u", "-g"] },
  env: { valued: ["-u"] },
  time: { valued: [] },
  command: { valued: [] },
  exec: { valued: [] },
  // xargs adds the words it reads from stdin at the end: an example gets one placeholder there.
  xargs: { valued: ["-n", "-I", "-L", "-P", "-d", "-s", "-a", "-E"] },
};

/**
 * The arguments of each `airconn` run on the line (the words after `airconn`), whatever stands before it: variable
 * assignments (`AIRCONN_TOKEN=x airconn`), a pipe, `sudo`, `xargs` (which appends "ID", a placeholder for what it
 * reads).
 */
export function airconnRuns(line: string, program = "airconn"): string[][] {
  const runs: string[][] = [];
  for (let words of shellCommands(line)) {
    let appended: string[] = [];
    for (;;) {
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words = words.slice(1);
      const wrapper = WRAPPERS[words[0] ?? ""];
      if (!wrapper) break;
      if (words[0] === "xargs") appended = ["ID"];
      let i = 1;
      while (i < words.length && words[i]!.startsWith("-")) i += wrapper.valued.includes(words[i]!) ? 2 : 1;
      words = words.slice(i);
    }
    if (words[0] === program) runs.push([...words.slice(1), ...appended]);
  }
  return runs;
}
