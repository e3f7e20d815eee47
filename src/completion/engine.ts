// The completion engine: given the command tree and the words typed after `airconn` (the last one is the word under
// the cursor, "" after a space), says what may come next. Pure apart from the injected sources; no heavy imports.
import type { CommandSpec, OptionSpec, ValueSpec } from "./spec.js";
import { escapeControls, hasControls } from "../output/sanitize.js";

export interface Candidate {
  value: string;
  description?: string;
}
export interface Completion {
  candidates: Candidate[];
  /** The shell should (also) complete file names. */
  files: boolean;
}

/** Connection settings typed on the command line, used to reach the right server for ids. */
export interface TypedGlobals {
  profile?: string;
  apiUrl?: string;
  token?: string;
}

/** An extra field of a connection type, for `--set-extra KEY=` (values: what a choice list or a boolean allows). */
export interface ExtraKeySpec {
  name: string;
  label?: string;
  values?: string[];
}

export interface Sources {
  profiles(): string[];
  connectionIds(prefix: string, globals: TypedGlobals): Promise<string[]>;
  /** The connection types of the catalog (none given: the tree's own list). */
  connTypes?(globals: TypedGlobals): Promise<Candidate[] | undefined>;
  /** The extra fields the catalog defines for a connection type. */
  extraKeys?(connType: string, globals: TypedGlobals): Promise<ExtraKeySpec[]>;
}

interface Parsed {
  /** The commands entered, root first. */
  path: CommandSpec[];
  positionals: string[];
  /** Option waiting for its value (the word under the cursor is that value). */
  pending?: OptionSpec;
  afterDashDash: boolean;
  globals: TypedGlobals;
  /** The line's --type value (what --set-extra completes the keys of). */
  connType?: string;
}

/** Options recognised at a command: its own and its ancestors' (commander accepts program options anywhere). */
const scope = (path: CommandSpec[]): OptionSpec[] =>
  path
    .slice()
    .reverse()
    .flatMap((c) => c.options);
const find = (path: CommandSpec[], flag: string) => scope(path).find((o) => o.flags.includes(flag));
const subcommand = (cmd: CommandSpec, word: string) =>
  cmd.commands.find((c) => c.name === word || c.aliases.includes(word));

function remember(p: Parsed, o: OptionSpec, value: string): void {
  if (o.flags.includes("--profile")) p.globals.profile = value;
  else if (o.flags.includes("--api-url")) p.globals.apiUrl = value;
  else if (o.flags.includes("--token")) p.globals.token = value;
  else if (o.flags.includes("--type")) p.connType = value;
}

function parse(root: CommandSpec, words: string[]): Parsed {
  const p: Parsed = { path: [root], positionals: [], afterDashDash: false, globals: {} };
  for (const w of words) {
    const cmd = p.path[p.path.length - 1]!;
    if (p.pending) {
      remember(p, p.pending, w);
      p.pending = undefined;
      continue;
    }
    if (!p.afterDashDash && w === "--") {
      p.afterDashDash = true;
      continue;
    }
    if (!p.afterDashDash && w.startsWith("--")) {
      const eq = w.indexOf("=");
      const o = find(p.path, eq < 0 ? w : w.slice(0, eq));
      if (o?.value) {
        if (eq < 0) p.pending = o;
        else remember(p, o, w.slice(eq + 1));
      }
      continue;
    }
    if (!p.afterDashDash && w.length > 1 && w.startsWith("-")) {
      // Short flags, possibly combined (-vo json) or with the value attached (-ojson).
      for (let i = 1; i < w.length; i++) {
        const o = find(p.path, `-${w[i]}`);
        if (o?.value) {
          if (i + 1 < w.length) remember(p, o, w.slice(i + 1));
          else p.pending = o;
          break;
        }
      }
      continue;
    }
    const sub = !p.positionals.length ? subcommand(cmd, w) : undefined;
    if (sub) p.path.push(sub);
    else p.positionals.push(w);
  }
  return p;
}

const matching = (values: Candidate[], prefix: string) => values.filter((c) => c.value.startsWith(prefix));

async function values(v: ValueSpec | undefined, cur: string, p: Parsed, src: Sources): Promise<Completion> {
  const none = { candidates: [], files: false };
  switch (v?.kind) {
    case "choices":
      return {
        candidates: matching(
          v.choices.map((c, i) => ({ value: c, ...(v.labels?.[i] ? { description: v.labels[i] } : {}) })),
          cur,
        ),
        files: false,
      };
    case "profiles":
      return {
        candidates: matching(
          src.profiles().map((value) => ({ value })),
          cur,
        ),
        files: false,
      };
    case "connection-ids": {
      const typed = new Set(p.positionals);
      const ids = await src.connectionIds(cur, p.globals);
      return {
        candidates: ids.filter((id) => id.startsWith(cur) && !typed.has(id)).map((value) => ({ value })),
        files: false,
      };
    }
    case "commands": {
      // `help profile <TAB>`: the subcommands of the command the words before name; the topics only first.
      let at: CommandSpec | undefined = p.path[p.path.length - 2];
      for (const w of p.positionals) at = at && subcommand(at, w);
      const commands = (at?.commands ?? [])
        .filter((c) => c.name !== "help")
        .map((c) => ({ value: c.name, description: c.description }));
      const topics = p.positionals.length
        ? []
        : (v.topics ?? []).map((t) => ({ value: t.name, description: t.description }));
      return { candidates: matching([...commands, ...topics], cur), files: false };
    }
    case "conn-types": {
      const listed = v.choices.map((c, i) => ({ value: c, ...(v.labels?.[i] ? { description: v.labels[i] } : {}) }));
      return { candidates: matching((await src.connTypes?.(p.globals)) ?? listed, cur), files: false };
    }
    case "extra-keys": {
      // `--set-extra war` -> `warehouse=`; `--set-extra region=` -> the field's choices (or true/false)
      const fields = p.connType && src.extraKeys ? await src.extraKeys(p.connType, p.globals) : [];
      const eq = cur.indexOf("=");
      const offered =
        eq < 0
          ? fields.map((f) => ({ value: `${f.name}=`, ...(f.label ? { description: f.label } : {}) }))
          : (fields.find((f) => f.name === cur.slice(0, eq))?.values ?? []).map((x) => ({
              value: `${cur.slice(0, eq + 1)}${x}`,
            }));
      return { candidates: matching(offered, cur), files: false };
    }
    case "files":
      return { candidates: [], files: true };
    default:
      return none;
  }
}

/** Completes the last of `words` (the words after the program name; the last may be ""). */
export async function complete(root: CommandSpec, words: string[], src: Sources): Promise<Completion> {
  const all = words.length ? words : [""];
  const cur = all[all.length - 1]!;
  const p = parse(root, all.slice(0, -1));
  const cmd = p.path[p.path.length - 1]!;

  if (p.pending) return values(p.pending.value, cur, p, src);
  if (!p.afterDashDash && cur.startsWith("--") && cur.includes("=")) {
    const eq = cur.indexOf("=");
    const o = find(p.path, cur.slice(0, eq));
    if (!o?.value) return { candidates: [], files: false };
    const r = await values(o.value, cur.slice(eq + 1), p, src);
    return { ...r, candidates: r.candidates.map((c) => ({ ...c, value: `${cur.slice(0, eq + 1)}${c.value}` })) };
  }
  if (!p.afterDashDash && cur.startsWith("-")) {
    const seen = new Set<string>();
    const out: Candidate[] = [];
    for (const o of scope(p.path)) {
      for (const f of o.flags) {
        if (!f.startsWith(cur) || seen.has(f)) continue;
        seen.add(f);
        out.push({ value: f, description: o.description });
      }
    }
    return { candidates: out, files: false };
  }
  if (cmd.commands.length && !p.positionals.length) {
    const names = cmd.commands.map((c) => ({ value: c.name, description: c.description }));
    let out = matching(names, cur);
    if (!out.length && cur)
      out = cmd.commands.flatMap((c) =>
        c.aliases.filter((a) => a.startsWith(cur)).map((value) => ({ value, description: c.description })),
      );
    return { candidates: out, files: false };
  }
  const i = p.positionals.length;
  const last = cmd.args[cmd.args.length - 1];
  const arg = cmd.args[i] ?? (last?.variadic ? last : undefined);
  return values(arg?.value, cur, p, src);
}

/**
 * The callback's output: one candidate per line, "value<TAB>description"; a line "::files" asks for file names.
 * Values and descriptions can be server data (ids, the catalog's types and names): a value with a control character
 * cannot be typed and is left out, and a description shows its control characters as escapes (zsh and fish print
 * descriptions: nothing of the server's may reach the terminal as bytes, issue 18).
 */
export function formatCompletion(c: Completion): string {
  const lines = c.candidates
    .filter((x) => !hasControls(x.value))
    .map((x) => (x.description ? `${x.value}\t${escapeControls(x.description.replace(/[\t\n]/g, " "))}` : x.value));
  if (c.files) lines.push("::files");
  return lines.length ? lines.join("\n") + "\n" : "";
}
