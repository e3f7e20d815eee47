// Readers for connection files: Airflow's json / yaml / env (as `airflow connections import` and the
// LocalFilesystemBackend read them), airflowctl's json, Astro's airflow_settings.yaml and airconn's own
// YAML for `apply`. Everything becomes ConnectionBody objects plus where they came from.
// Every problem with the input is a UsageError whose message points into the file. A file is read to its end: every
// problem found is reported (one alone as itself; several as a ProblemsError, one line each, in the order of the lines).

import type { ConnectionBody } from "../api/types.js";
import { extraProblem, idProblem, portProblem, teamProblem, type Problem } from "../connection/validate.js";
import { ProblemsError, UsageError } from "../errors.js";
import { PyFloat, PyInt, pyDumps } from "../util/pyjson.js";
import { PORT_RANGE } from "../connection/model.js";
import { maskUriPassword, normaliseConnType } from "../uri/index.js";
import { uriFields, type UriFields } from "../uri/fields.js";
import { substitute, SubstProblem } from "./subst.js";
import { describe, parseJsonTree, parseYamlTree, SyntaxProblem, toPy, type MapEntry, type TNode } from "./tree.js";

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


/** The file format from the explicit --format value, else the extension (and, for YAML, the content). */
export function detectFormat(fileName: string, explicit?: string, text?: string): FileFormat {
  if (explicit !== undefined && explicit !== "") {
    const f = explicit.toLowerCase() === "yml" ? "yaml" : explicit.toLowerCase();
    if (!(FILE_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`unknown format "${explicit}"; use one of: json, yaml, env, astro`);
    }
    return f as FileFormat;
  }
  if (fileName === "-" || fileName === "") {
    throw new UsageError("reading from stdin needs --format (json, yaml, env or astro)");
  }
  const m = /\.([^./\\]+)$/.exec(fileName);
  const ext = m ? m[1]!.toLowerCase() : "";
  if (ext === "json") return "json";
  if (ext === "env") return "env";
  if (ext === "yaml" || ext === "yml") {
    if (/(^|[/\\])airflow_settings\.ya?ml$/i.test(fileName)) return "astro";
    if (text !== undefined && looksLikeAstro(text)) return "astro";
    return "yaml";
  }
  throw new UsageError(
    `${fileName}: unsupported file format. The file must have one of the following extensions: .env .json .yaml .yml`,
    "or give --format",
  );
}

/** A YAML document whose top level has an `airflow:` mapping with connections/pools/variables. */
function looksLikeAstro(text: string): boolean {
  try {
    const t = parseYamlTree(stripBom(text), { version: "1.1" });
    return t !== null && isAstroShape(t);
  } catch {
    return false;
  }
}

function isAstroShape(t: TNode): boolean {
  if (t.kind !== "map") return false;
  const a = t.entries.find((e) => e.key === "airflow");
  if (!a) return false;
  if (a.value.kind === "scalar" && a.value.value === null) return t.entries.length === 1;
  return a.value.kind === "map" && a.value.entries.some((e) => ["connections", "pools", "variables"].includes(e.key));
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses a connections file. Throws UsageError (only) on bad input. */
export function parseConnectionsFile(text: string, opts: ParseOptions): ParseResult {
  const r = new Reader(opts);
  try {
    return r.run(text);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // A bug, not bad input — but the contract is UsageError for anything coming from a file.
    throw new UsageError(`${r.file}: cannot read the file: ${(e as Error)?.message ?? String(e)}`);
  }
}

const AIRFLOW_KEYS = [
  "conn_id", "connection_id", "conn_type", "description", "host", "login", "password", "schema", "port", "extra",
  "uri", "team_name", "extra_dejson",
] as const;
const AIRCONN_KEYS = [...AIRFLOW_KEYS, "id"] as const;
const ID_KEYS = ["conn_id", "connection_id", "id"];
const STRING_FIELDS = ["description", "host", "login", "password", "schema"] as const;
const URI_CONFLICTS = ["conn_type", "host", "login", "password", "schema", "port", "extra", "extra_dejson"];

/** A problem the reader found, with its line (for the order of the report). */
class FileProblem extends UsageError {
  constructor(message: string, hint: string | undefined, readonly line: number | undefined) { super(message, hint); }
}

class Reader {
  readonly file: string;
  readonly warnings: string[] = [];
  /** Every problem found so far (the reading goes on past each one). */
  private readonly problems: FileProblem[] = [];
  private readonly doSubst: boolean;
  private readonly env: Record<string, string | undefined>;

  constructor(private readonly opts: ParseOptions) {
    this.file = opts.fileName === "-" ? "<stdin>" : opts.fileName;
    this.doSubst = opts.substitute ?? opts.format === "airconn";
    this.env = opts.env ?? {};
  }

  /** Fails on a problem the connection validator found (path `id.field`). */
  check(line: number, p: Problem | undefined): void {
    if (p) this.fail(line, p.path ? `${p.path}: ${p.message}` : p.message);
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
    const sorted = this.problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map((x) => x.p);
    throw new ProblemsError(sorted.map((p) => p.message), `${this.file}: ${sorted.length} problems, nothing was sent`, sorted.find((p) => p.hint)?.hint);
  }

  where(line: number, id: string): string {
    return `${this.file}:${line} (${id})`;
  }

  run(raw: string): ParseResult {
    if (raw.includes("\0")) this.fail(undefined, "this is not a text file (it contains NUL bytes)");
    const text = stripBom(raw);
    const format = this.opts.format;
    let connections: ParsedConnection[];
    if (format === "env") connections = this.readEnv(text);
    else {
      if (text.trim() === "") this.fail(undefined, "The file is empty.");
      const tree = this.parseTree(text, format);
      if (tree === null) this.fail(undefined, "The file is empty.");
      if (format === "astro") connections = this.readAstro(tree);
      else if (format === "airconn") connections = this.readAirconn(tree);
      else connections = this.readAirflowTree(tree);
    }
    const seen = new Map<string, string>();
    for (const c of connections) {
      const before = seen.get(c.body.connection_id);
      if (before !== undefined) {
        const line = /:(\d+) \(.*\)$/.exec(c.where)?.[1];
        this.problems.push(new FileProblem(`${this.file}: duplicate connection id "${c.body.connection_id}" (${before} and ${c.where})`, undefined, line ? Number(line) : undefined));
        continue;
      }
      seen.set(c.body.connection_id, c.where);
    }
    this.report();
    return { connections, warnings: this.warnings };
  }

  private parseTree(text: string, format: FileFormat): TNode | null {
    try {
      if (format === "json") return parseJsonTree(text);
      return parseYamlTree(text, { version: format === "airconn" ? "1.2" : "1.1" });
    } catch (e) {
      if (e instanceof SyntaxProblem) {
        const at = e.col !== undefined ? `${e.line}:${e.col}` : `${e.line}`;
        const what = format === "json" ? "invalid JSON: " : "";
        throw new UsageError(`${this.file}:${at}: ${what}${e.message}`);
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ Airflow json / yaml (and airflowctl)

  private readAirflowTree(tree: TNode): ParsedConnection[] {
    if (tree.kind !== "map") {
      this.fail(tree.line, "The file should contain the object.");
    }
    if (this.opts.format === "yaml" && isAstroShape(tree)) {
      this.fail(undefined, "this looks like an Astro airflow_settings.yaml", "use --format astro");
    }
    const out: ParsedConnection[] = [];
    for (const e of tree.entries) {
      this.attempt(e.line, () => {
        const id = this.checkId(e.key, e.line);
        let v = e.value;
        if (v.kind === "seq") {
          if (v.items.length === 0) {
            this.warnings.push(`${this.where(e.line, id)}: an empty list defines no connection; skipped`);
            return;
          }
          if (v.items.length > 1) this.fail(e.line, `Found multiple values for ${id} in ${this.file}.`);
          v = v.items[0]!;
        }
        out.push(this.readValue(id, v, e.line, "airflow"));
      });
    }
    return out;
  }

  /** A connection value: a URI string or an object. */
  private readValue(id: string, v: TNode, line: number, mode: "airflow" | "airconn"): ParsedConnection {
    if (v.kind === "scalar" && typeof v.value === "string") {
      const uri = this.subst(v.value, id, "uri", v.line);
      return this.fromUri(id, uri, line, v.line, "uri");
    }
    if (v.kind === "map") return this.readObject(id, v.entries, line, mode, true);
    this.fail(v.line, `${id}: the connection must be a URI string or an object, got ${describe(v)}`);
  }

  private fromUri(id: string, uri: string, line: number, valueLine: number, field: string, description?: string | null): ParsedConnection {
    const f = this.parseUri(uri, id, field, valueLine);
    const body: ConnectionBody = { connection_id: id, conn_type: "" };
    const ct = f.conn_type === null ? "" : f.conn_type;
    if (ct === "") this.fail(valueLine, `${id}.${field}: the URI has no connection type (scheme)`);
    body.conn_type = ct;
    body.host = f.host;
    body.login = f.login;
    body.password = f.password;
    body.port = f.port;
    body.schema = f.schema;
    body.extra = f.extra;
    if (description !== undefined) body.description = description;
    return { body, where: this.where(line, id) };
  }

  private parseUri(uri: string, id: string, field: string, line: number): UriFields {
    try {
      return uriFields(uri, this.opts.uriQueryValues);
    } catch (e) {
      // Never repeat the URI itself: it usually carries a password (the codec may show it with control
      // characters escaped, so hide that spelling too).
      const escaped = uri.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));
      const spellings = [uri, escaped, maskUriPassword(uri), maskUriPassword(escaped)].sort((a, b) => b.length - a.length);
      const msg = e instanceof Error ? spellings.reduce((m, s) => m.split(s).join("<uri>"), e.message) : String(e);
      this.fail(line, `${id}.${field}: ${msg}`, e instanceof UsageError ? e.hint : undefined);
    }
  }

  /** A connection object (Airflow's Connection(**value) keys, or airconn's). `idFromKey`: the id came from a map key. */
  private readObject(id: string, entries: MapEntry[], line: number, mode: "airflow" | "airconn", idFromKey: boolean): ParsedConnection {
    const allowed: readonly string[] = mode === "airconn" ? AIRCONN_KEYS : AIRFLOW_KEYS;
    const get = new Map<string, MapEntry>();
    for (const e of entries) {
      if (!allowed.includes(e.key)) {
        this.attempt(e.line, () => this.fail(e.line, `${id}: unknown key "${e.key.slice(0, 60)}"`, `allowed keys: ${allowed.join(", ")}`));
        continue;
      }
      get.set(e.key, e);
    }
    const idKeys = ID_KEYS.filter((k) => get.has(k));
    for (const k of idKeys) {
      const e = get.get(k)!;
      this.attempt(e.line, () => {
        const v = e.value;
        if (v.kind !== "scalar" || typeof v.value !== "string") this.fail(e.line, `${id}.${k}: must be a string, got ${describe(v)}`);
        if (idFromKey && v.value !== id) {
          this.fail(e.line, `${id}.${k}: mismatch conn_id. The dictionary key has the value: ${id}. The item has the value: ${v.value}.`);
        }
        if (!idFromKey && v.value !== id) this.fail(e.line, `${id}: ${idKeys.join(" and ")} differ`);
      });
    }
    if (get.has("extra") && get.has("extra_dejson")) {
      this.attempt(line, () => this.fail(get.get("extra_dejson")!.line, `${id}: The extra and extra_dejson parameters are mutually exclusive. Please provide only one parameter.`));
      get.delete("extra_dejson");
    }

    // Each field is checked on its own: a problem is recorded and the next field is read (run() reports them all).
    const field = <T>(e: MapEntry, read: () => T): T | undefined => this.attempt(e.line, read);
    const uriEntry = get.get("uri");
    if (uriEntry) {
      const clash = URI_CONFLICTS.filter((k) => get.has(k) && truthy(get.get(k)!.value));
      if (clash.length > 0) {
        this.fail(uriEntry.line, `${id}: You must create an object using the URI or individual values (conn_type, host, login, password, schema, port or extra). You can't mix these two ways to create this object.`);
      }
      const u = uriEntry.value;
      const de = get.get("description");
      const description = de ? field(de, () => this.stringField(id, "description", de)) : undefined;
      const te = get.get("team_name");
      const team = te ? field(te, () => this.teamName(id, te)) : undefined;
      if (u.kind !== "scalar" || typeof u.value !== "string") this.fail(uriEntry.line, `${id}.uri: must be a string, got ${describe(u)}`);
      const uri = this.subst(u.value, id, "uri", uriEntry.line);
      const pc = this.fromUri(id, uri, line, uriEntry.line, "uri", description);
      if (te) pc.body.team_name = team ?? null;
      return pc;
    }

    const body: ConnectionBody = { connection_id: id, conn_type: "" };
    const ct = get.get("conn_type");
    const ctv = ct ? field(ct, () => this.stringField(id, "conn_type", ct)) : null; // undefined: its problem is recorded
    if (ctv === null || ctv === "") this.attempt(line, () => this.fail(ct?.line ?? line, `${id}: conn_type is required`));
    body.conn_type = ctv ? normaliseConnType(ctv) : "";
    for (const k of STRING_FIELDS) {
      const e = get.get(k);
      if (e) field(e, () => { body[k] = this.stringField(id, k, e); });
    }
    const pe = get.get("port");
    if (pe) field(pe, () => { body.port = this.port(id, "port", pe.value, pe.line, true); });
    const ee = get.get("extra") ?? get.get("extra_dejson");
    if (ee) field(ee, () => { body.extra = this.extra(id, ee.key, ee.value, ee.line, ee.key === "extra_dejson"); });
    const te = get.get("team_name");
    if (te) field(te, () => { body.team_name = this.teamName(id, te); });
    return { body, where: this.where(line, id) };
  }

  private teamName(id: string, e: MapEntry): string | null {
    const v = this.stringField(id, "team_name", e);
    if (v !== null) this.check(e.line, teamProblem(v, { context: "file", path: `${id}.team_name` }));
    return v;
  }

  private subst(value: string, id: string, field: string, line: number): string {
    if (!this.doSubst) return value;
    try {
      return substitute(value, this.env);
    } catch (e) {
      if (e instanceof SubstProblem) this.fail(line, `${id}.${field}: ${e.message}`);
      throw e;
    }
  }

  private stringField(id: string, field: string, e: MapEntry): string | null {
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
    const bad = (got: string): never => this.fail(line, `${id}.${field}: must be an integer ${PORT_RANGE}, got ${got}`);
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
    this.check(line, portProblem(n, { context: "file", path: `${id}.${field}` }, shown));
    return n;
  }

  /** extra: a JSON object as a string (kept verbatim) or an object (→ Python json.dumps). */
  private extra(id: string, field: string, v: TNode, line: number, objectOnly: boolean): string | null {
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
    this.fail(line, `${id}.${field}: must be an object${objectOnly ? "" : " or a JSON object string"}, got ${describe(v)}`);
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

  // ------------------------------------------------------------------------------------------------ env

  private readEnv(text: string): ParsedConnection[] {
    const lines = text.split(/\r\n|\n|\r/);
    const out: ParsedConnection[] = [];
    const keys = new Map<string, number>();
    let content = false;
    lines.forEach((lineText, idx) => {
      const ln = idx + 1;
      if (lineText.trim() === "" || /^\s*#/.test(lineText)) return;
      content = true;
      this.attempt(ln, () => this.readEnvLine(lineText, ln, keys, out));
    });
    // Airflow reads an empty env file as no connections (and `export` writes "" for none), so no error here.
    if (!content) this.warnings.push(`${this.file}: the file defines no connections`);
    return out;
  }

  /** One KEY=VALUE line of an env file. */
  private readEnvLine(lineText: string, ln: number, keys: Map<string, number>, out: ParsedConnection[]): void {
    const eq = lineText.indexOf("=");
    if (eq < 0) this.fail(ln, 'Invalid line format. The line should contain at least one equal sign ("=").');
    const key = lineText.slice(0, eq).trim();
    let value = lineText.slice(eq + 1).trim();
    if (key === "") this.fail(ln, "Invalid line format. Key is empty.");
    if (value === "") this.fail(ln, `${key.slice(0, 60)}: Value is empty.`);
    const prev = keys.get(key);
    if (prev !== undefined) this.fail(ln, `Found duplicate key "${key.slice(0, 60)}" (also on line ${prev}).`);
    keys.set(key, ln);
    const id = this.checkId(/^AIRFLOW_CONN_./.test(key) ? key.slice("AIRFLOW_CONN_".length).toLowerCase() : key, ln);
    let col = lineText.indexOf(value, eq + 1) + 1;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) { value = value.slice(1, -1); col++; }
    value = this.subst(value, id, "value", ln);
    if (value.trimStart().startsWith("{")) {
      let tree: TNode;
      try {
        tree = parseJsonTree(value, { lineOffset: ln - 1, colOffset: col - 1 });
      } catch (e) {
        if (e instanceof SyntaxProblem) throw new UsageError(`${this.file}:${e.line}:${e.col}: ${id}: invalid JSON: ${e.message}`);
        throw e;
      }
      if (tree.kind !== "map") this.fail(ln, `${id}: the JSON value must be an object`);
      out.push(this.readObject(id, tree.entries, ln, "airflow", true));
    } else {
      out.push(this.fromUri(id, value, ln, ln, "uri"));
    }
  }

  // ---------------------------------------------------------------------------------------------- Astro

  private readAstro(tree: TNode): ParsedConnection[] {
    if (tree.kind !== "map") this.fail(tree.line, "an Astro settings file must be a mapping with an `airflow:` key");
    const a = tree.entries.find((e) => e.key === "airflow");
    if (!a) this.fail(tree.line, "no top-level `airflow:` key (Astro airflow_settings.yaml)");
    if (a.value.kind === "scalar" && a.value.value === null) return [];
    if (a.value.kind !== "map") this.fail(a.line, `airflow: must be a mapping, got ${describe(a.value)}`);
    const c = a.value.entries.find((e) => e.key === "connections");
    if (!c || (c.value.kind === "scalar" && c.value.value === null)) return [];
    if (c.value.kind !== "seq") this.fail(c.line, `airflow.connections: must be a list, got ${describe(c.value)}`);
    const out: ParsedConnection[] = [];
    const known = ["conn_id", "conn_type", "conn_host", "conn_schema", "conn_login", "conn_password", "conn_port", "conn_uri", "conn_extra"];
    c.value.items.forEach((item, idx) => this.attempt(item.line, () => {
      const label = `airflow.connections[${idx}]`;
      if (item.kind !== "map") this.fail(item.line, `${label}: must be a mapping, got ${describe(item)}`);
      const get = new Map(item.entries.map((e) => [e.key, e]));
      for (const e of item.entries) {
        if (!known.includes(e.key)) this.warnings.push(`${this.file}:${e.line}: ${label}: unknown key "${e.key.slice(0, 60)}" ignored`);
      }
      const idE = get.get("conn_id");
      const rawId = idE ? this.stringField(label, "conn_id", idE) : null;
      if (rawId === null || rawId === "") {
        this.warnings.push(`${this.file}:${item.line}: ${label}: no conn_id; skipped`);
        return;
      }
      const id = this.checkId(rawId, idE!.line);
      const str = (k: string) => {
        const e = get.get(k);
        return e ? this.stringField(id, k, e) : null;
      };
      const type = str("conn_type");
      const host = str("conn_host"), schema = str("conn_schema"), login = str("conn_login"), password = str("conn_password");
      const pe = get.get("conn_port");
      const port0 = pe ? this.port(id, "conn_port", pe.value, pe.line, true) : null;
      const port = port0 === 0 ? null : port0;
      const uri = str("conn_uri");
      const ee = get.get("conn_extra");
      const extra = ee ? this.extra(id, "conn_extra", ee.value, ee.line, false) : null;
      if (!type && !uri) {
        this.warnings.push(`${this.where(item.line, id)}: Skipping ${id}: conn_type or conn_uri must be specified.`);
        return;
      }
      const individual = !!(type || host || login || password || schema || port);
      if (!individual) {
        const pc = this.fromUri(id, uri!, item.line, get.get("conn_uri")!.line, "conn_uri");
        if (extra) { pc.body.extra = extra; }
        out.push(pc);
        return;
      }
      if (uri) this.warnings.push(`${this.where(item.line, id)}: conn_uri is ignored because individual fields are set`);
      if (!type) this.fail(item.line, `${id}: conn_type is required`);
      const body: ConnectionBody = { connection_id: id, conn_type: normaliseConnType(type) };
      const set = <K extends BodyField>(k: K, v: ConnectionBody[K], given: boolean) => {
        if (given) body[k] = v;
      };
      set("host", host, get.has("conn_host"));
      set("schema", schema, get.has("conn_schema"));
      set("login", login, get.has("conn_login"));
      set("password", password, get.has("conn_password"));
      set("port", port, get.has("conn_port"));
      set("extra", extra, get.has("conn_extra"));
      out.push({ body, where: this.where(item.line, id) });
    }));
    return out;
  }

  // -------------------------------------------------------------------------------------------- airconn

  private readAirconn(tree: TNode): ParsedConnection[] {
    let top = tree;
    if (top.kind === "map" && top.entries.length === 1 && top.entries[0]!.key === "connections") {
      const v = top.entries[0]!.value;
      const isConnection = v.kind === "map" && v.entries.some((e) => (AIRCONN_KEYS as readonly string[]).includes(e.key));
      if (v.kind === "seq" || (v.kind === "map" && !isConnection)) top = v;
      else if (v.kind === "scalar" && v.value === null) return [];
    }
    const each = <T>(items: T[], line: (x: T) => number, read: (x: T, idx: number) => ParsedConnection): ParsedConnection[] =>
      items.flatMap((x, idx) => this.attempt(line(x), () => read(x, idx)) ?? []);
    if (top.kind === "seq") {
      return each(top.items, (item) => item.line, (item, idx) => {
        if (item.kind !== "map") this.fail(item.line, `connection #${idx + 1}: must be a mapping, got ${describe(item)}`);
        const idE = item.entries.find((e) => ID_KEYS.includes(e.key));
        if (!idE) this.fail(item.line, `connection #${idx + 1}: connection_id is required`);
        if (idE.value.kind !== "scalar" || typeof idE.value.value !== "string") {
          this.fail(idE.line, `connection #${idx + 1}: ${idE.key} must be a string, got ${describe(idE.value)}`);
        }
        const id = this.checkId(idE.value.value, idE.line);
        return this.readObject(id, item.entries, item.line, "airconn", false);
      });
    }
    if (top.kind !== "map") this.fail(top.line, `expected a list of connections or a mapping of connection ids, got ${describe(top)}`);
    return each(top.entries, (e) => e.line, (e) => this.readValue(this.checkId(e.key, e.line), e.value, e.line, "airconn"));
  }
}

function truthy(n: TNode): boolean {
  if (n.kind === "map") return n.entries.length > 0;
  if (n.kind === "seq") return n.items.length > 0;
  if (n.kind === "other") return true;
  const v = n.value;
  if (v === null || v === false || v === "") return false;
  if (v instanceof PyInt) return v.text !== "0";
  if (v instanceof PyFloat) return v.value !== 0;
  return true;
}
