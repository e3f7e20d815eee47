// The shared core of the connection-file readers (read-json.ts, read-yaml.ts, read-env.ts, read-astro.ts,
// read-airconn.ts: one per format; read.ts picks one): where a problem is in the file, how the reading goes on past
// one, and what several formats read alike (an id, a URI, Airflow's connection object, a string field, a port, an extra).
// Every problem with the input is a UsageError whose message points into the file. A file is read to its end: every
// problem found is reported (one alone as itself; several as a ProblemsError, one line each, in the order of the lines).

import type { ConnectionBody } from "../api/types.js";
import { extraProblem, idProblem, portProblem, teamProblem, type At, type Problem } from "../connection/validate.js";
import { ProblemsError, UsageError } from "../errors.js";
import { type PyFloat, PyInt, pyDumps } from "../util/pyjson.js";
import { substitute, SubstProblem } from "./subst.js";
import { describe, SyntaxProblem, toPy, type MapEntry, type TNode } from "./tree.js";

export type FileFormat = "json" | "yaml" | "env" | "astro" | "airconn";
export const FILE_FORMATS: readonly FileFormat[] = ["json", "yaml", "env", "astro", "airconn"];

export type BodyField = keyof ConnectionBody;

export interface ParsedConnection {
  /**
   * Only the fields the file gave are set (plus connection_id and conn_type, always): "not in the file" is a missing
   * key, "null" a null value (`presentFields` lists them).
   */
  body: ConnectionBody;
  /** For messages: "connections.yaml:12 (pg_main)". */
  where: string;
}

/** The fields a file gave for a connection: the keys of its body. */
export function presentFields(c: ParsedConnection): Set<BodyField> {
  return new Set(Object.keys(c.body) as BodyField[]);
}

export interface ParseResult {
  connections: ParsedConnection[];
  /** Things skipped or ignored (Astro entries without type/uri, empty lists, ...), one sentence each. */
  warnings: string[];
}

export interface ParseOptions {
  format: FileFormat;
  /** Used in messages only; "-" is shown as "<stdin>". */
  fileName: string;
  /** Source for `${VAR}` substitution. */
  env?: Record<string, string | undefined>;
  /**
   * Fill `${VAR}` / `${VAR:-default}` in string values (`$$` → `$`). Default: on for "airconn", off for the
   * formats other tools write — their values are real data, and a password like `pa$$word` must stay as it is.
   */
  substitute?: boolean;
  /** Passed to parseConnectionUri: how query values of URIs become `extra`. */
  uriQueryValues?: "json" | "string";
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A problem the reader found, with its line (for the order of the report). */
class FileProblem extends UsageError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly line: number | undefined,
  ) {
    super(message, hint);
  }
}

export class Reader {
  readonly file: string;
  readonly warnings: string[] = [];
  /** Every problem found so far (the reading goes on past each one). */
  private readonly problems: FileProblem[] = [];
  private readonly doSubst: boolean;
  private readonly env: Record<string, string | undefined>;

  constructor(readonly opts: ParseOptions) {
    this.file = opts.fileName === "-" ? "<stdin>" : opts.fileName;
    this.doSubst = opts.substitute ?? opts.format === "airconn";
    this.env = opts.env ?? {};
  }

  /** Fails on a problem the connection validator found (path `id.field`), if there is one. */
  check(line: number, p: Problem | undefined): void {
    if (p) this.problem(line, p);
  }

  /** Fails on a problem the connection validator found (path `id.field`, or "" for the id itself). */
  problem(line: number, p: Problem): never {
    this.fail(line, p.path ? `${p.path}: ${p.message}` : p.message);
  }

  fail(line: number | undefined, msg: string, hint?: string): never {
    throw new FileProblem(line === undefined ? `${this.file}: ${msg}` : `${this.file}:${line}: ${msg}`, hint, line);
  }

  /**
   * Runs one part of the reading (an entry, a field): a problem it finds is recorded and the reading goes on with the
   * next part; undefined comes back then. `line`: where the part starts, for a problem that does not say.
   */
  attempt<T>(line: number | undefined, part: () => T): T | undefined {
    try {
      return part();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      this.problems.push(e instanceof FileProblem ? e : new FileProblem(e.message, e.hint, line));
      return undefined;
    }
  }

  /** Throws what was found: one problem as it is, several as one ProblemsError in the order of their lines. */
  private report(): void {
    if (this.problems.length === 0) return;
    if (this.problems.length === 1) throw this.problems[0]!;
    const sorted = this.problems
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
      .map((x) => x.p);
    throw new ProblemsError(
      sorted.map((p) => p.message),
      `${this.file}: ${sorted.length} problems, nothing was sent`,
      sorted.find((p) => p.hint)?.hint,
    );
  }

  where(line: number, id: string): string {
    return `${this.file}:${line} (${id})`;
  }

  /** Reads the whole file with the format's reader, then reports every problem found (repeated ids included). */
  run(raw: string, read: (text: string) => ParsedConnection[]): ParseResult {
    if (raw.includes("\0")) this.fail(undefined, "this is not a text file (it contains NUL bytes)");
    const connections = read(stripBom(raw));
    const seen = new Map<string, string>();
    for (const c of connections) {
      const before = seen.get(c.body.connection_id);
      if (before !== undefined) {
        const line = /:(\d+) \(.*\)$/.exec(c.where)?.[1];
        this.problems.push(
          new FileProblem(
            `${this.file}: duplicate connection id "${c.body.connection_id}" (${before} and ${c.where})`,
            undefined,
            line ? Number(line) : undefined,
          ),
        );
        continue;
      }
      seen.set(c.body.connection_id, c.where);
    }
    this.report();
    return { connections, warnings: this.warnings };
  }

  /**
   * The document tree of a json or YAML file (`parse`: the format's parser); an empty document is "The file is empty.",
   * a syntax error one line with its place ("invalid JSON: " first for JSON, whose parser does not say it).
   */
  tree(text: string, json: boolean, parse: (text: string) => TNode | null): TNode {
    if (text.trim() === "") this.fail(undefined, "The file is empty.");
    let tree: TNode | null;
    try {
      tree = parse(text);
    } catch (e) {
      if (e instanceof SyntaxProblem) {
        const at = e.col !== undefined ? `${e.line}:${e.col}` : `${e.line}`;
        throw new UsageError(`${this.file}:${at}: ${json ? "invalid JSON: " : ""}${e.message}`);
      }
      throw e;
    }
    if (tree === null) this.fail(undefined, "The file is empty.");
    return tree;
  }

  /** team_name: a string (or null) of at most 50 characters. */
  teamName(id: string, e: MapEntry): string | null {
    const v = this.stringField(id, "team_name", e);
    if (v !== null) this.check(e.line, teamProblem(v, { context: "file", path: `${id}.team_name` }));
    return v;
  }

  subst(value: string, id: string, field: string, line: number): string {
    if (!this.doSubst) return value;
    try {
      return substitute(value, this.env);
    } catch (e) {
      if (e instanceof SubstProblem) this.fail(line, `${id}.${field}: ${e.message}`);
      throw e;
    }
  }

  stringField(id: string, field: string, e: MapEntry): string | null {
    const v = e.value;
    if (v.kind === "scalar") {
      if (v.value === null) return null;
      if (typeof v.value === "string") return this.subst(v.value, id, field, e.line);
      const hint = this.opts.format === "json" ? "" : " (quote it)";
      this.fail(e.line, `${id}.${field}: must be a string, got ${describe(v)}${hint}`);
    }
    this.fail(e.line, `${id}.${field}: must be a string, got ${describe(v)}`);
  }

  /** Port: integer or numeric string in the port range; null / "" → null. */
  port(id: string, field: string, v: TNode, line: number, allowEmpty: boolean): number | null {
    const at: At = { context: "file", path: `${id}.${field}` };
    const bad = (got: string): never => this.problem(line, portProblem(NaN, at, got)!);
    if (v.kind !== "scalar") return bad(describe(v));
    let x = v.value;
    if (x === null) return null;
    if (typeof x === "string") {
      const s = this.subst(x, id, field, line);
      if (s.trim() === "" && allowEmpty) return null;
      if (!/^\s*\+?\d+\s*$/.test(s)) return bad(JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s));
      x = new PyInt(BigInt(s.trim()).toString());
    }
    if (typeof x === "boolean") return bad(String(x));
    let n: number;
    if (x instanceof PyInt) n = Number(x.text);
    else n = (x as PyFloat).value;
    const shown = x instanceof PyInt ? x.text : String(n);
    this.check(line, portProblem(n, at, shown));
    return n;
  }

  /** extra: a JSON object as a string (kept verbatim) or an object (→ Python json.dumps). */
  extra(id: string, field: string, v: TNode, line: number, objectOnly: boolean): string | null {
    if (v.kind === "map") {
      try {
        return pyDumps(this.substPy(toPy(v), id, field, line));
      } catch (e) {
        if (e instanceof SyntaxProblem) this.fail(e.line, `${id}.${field}: ${e.message}`);
        throw e;
      }
    }
    if (v.kind === "scalar" && !objectOnly) {
      if (v.value === null) return null;
      if (typeof v.value === "string") {
        const s = this.subst(v.value, id, field, line);
        if (s === "") return s;
        this.check(line, extraProblem(s, { context: "file", path: `${id}.${field}` }));
        return s;
      }
    }
    this.fail(
      line,
      `${id}.${field}: must be an object${objectOnly ? "" : " or a JSON object string"}, got ${describe(v)}`,
    );
  }

  private substPy<T>(v: T, id: string, field: string, line: number): T {
    if (!this.doSubst) return v;
    const walk = (x: unknown): unknown => {
      if (typeof x === "string") return this.subst(x, id, field, line);
      if (Array.isArray(x)) return x.map(walk);
      if (x instanceof Map) return new Map([...x].map(([k, y]) => [k, walk(y)]));
      return x;
    };
    return walk(v) as T;
  }

  checkId(raw: string, line: number): string {
    this.check(line, idProblem(raw, { context: "file", path: "" }));
    return raw;
  }
}
