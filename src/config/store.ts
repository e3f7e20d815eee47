// Profiles: one JSON file (config.json) under AIRCONN_CONFIG_DIR, default $XDG_CONFIG_HOME/airconn or ~/.config/airconn.
// Reads are a plain readFileSync + JSON.parse (every API command reads the profile, and `conf` costs ~100 ms to
// import); writes go through `conf`, loaded only then, which writes atomically with mode 0600. The folder is 0700.
// A config that is safe to share (issue 19):
// - writes are a read-modify-write of the file as it is now, under a lock file (lock.ts): parallel `login` and
//   `profile set` on one config lose nothing;
// - a file or folder that another user owns, or that its group or everyone can write, is refused (with the chmod or
//   chown to run) before anything in it is used: it names a token command that airconn would run;
// - a file of the wrong shape (`"profiles": []`) is an error naming the file, never a silent success;
// - a folder that cannot be created or written is a message saying where and why.
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, statSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

// node:os only when HOME is unset (rare): not loading it keeps start-up lean.
const homedir = (): string => (createRequire(import.meta.url)("node:os") as typeof import("node:os")).homedir();
import { AirconnError, UsageError } from "../errors.js";
import { errnoText } from "../util/errno.js";
import { parsePyJson, SyntaxProblem } from "../util/pyjson.js";

/** Where a JSON text is wrong and what the problem is, without quoting any of it: "line 3 column 14: Expecting value". */
function jsonProblemAt(text: string): string {
  try {
    parsePyJson(text);
  } catch (e) {
    if (e instanceof SyntaxProblem) return `line ${e.line} column ${e.col}: ${e.message}`;
  }
  return "not JSON";
}

export interface Profile {
  api_url?: string;
  token?: string;
  username?: string;
  /** A shell command that prints an access token; run when a token is needed and again once on a 401. */
  token_command?: string;
  /** Absolute path of a PEM file with the CA that signed the server's certificate (`profile set NAME --ca-cert FILE`). */
  ca_cert?: string;
  /** Do not verify the server's certificate (`profile set NAME --insecure`); warned about on every use. */
  insecure?: boolean;
  /** Amazon MWAA: requests go through this environment's InvokeRestApi, signed with AWS credentials (no token). */
  mwaa_environment?: string;
  /** The AWS region of mwaa_environment (else AWS_REGION, AWS_DEFAULT_REGION, the AWS config file). */
  aws_region?: string;
}
export interface ConfigData {
  version: 1;
  current_profile?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = "default";
export const PROFILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.AIRCONN_CONFIG_DIR) return env.AIRCONN_CONFIG_DIR;
  const xdg = env.XDG_CONFIG_HOME?.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), ".config");
  return join(xdg, "airconn");
}

export class ConfigStore {
  readonly dir: string;
  readonly file: string;
  /** What chose the folder (for messages): AIRCONN_CONFIG_DIR, XDG_CONFIG_HOME or HOME. */
  private readonly dirFrom: string;
  private cache?: ConfigData;

  constructor(env: NodeJS.ProcessEnv) {
    this.dir = configDir(env);
    this.file = join(this.dir, "config.json");
    this.dirFrom = env.AIRCONN_CONFIG_DIR
      ? "AIRCONN_CONFIG_DIR"
      : env.XDG_CONFIG_HOME?.startsWith("/")
        ? "XDG_CONFIG_HOME"
        : "HOME";
  }

  read(): ConfigData {
    return (this.cache ??= this.load());
  }

  /** The file as it is now: its folder and itself checked (owner, mode), then its shape. No file: no profiles. */
  private load(): ConfigData {
    const folder = statOrUndefined(this.dir);
    if (folder) {
      if (!folder.isDirectory())
        throw new UsageError(`the config folder ${this.dir} (from ${this.dirFrom}) is not a folder`, this.moveHint());
      checkSafe(this.dir, folder, "folder");
    }
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || (code === "ENOTDIR" && !folder)) return { version: 1, profiles: {} };
      throw new UsageError(`cannot read the config file ${this.file}: ${errnoText(e)}`);
    }
    let text: string;
    try {
      // The checks look at the file that is read (fstat of the open file), not at a name that could change meanwhile.
      const st = fstatSync(fd);
      if (st.isDirectory())
        throw new UsageError(
          `the config file ${this.file} is a folder`,
          "remove it or point AIRCONN_CONFIG_DIR elsewhere",
        );
      checkSafe(this.file, st, "file");
      text = readFileSync(fd, "utf8");
    } catch (e) {
      if (e instanceof AirconnError) throw e;
      throw new UsageError(`cannot read the config file ${this.file}: ${errnoText(e)}`);
    } finally {
      closeSync(fd);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not V8's message: it quotes the text around the error, and this file holds tokens.
      throw new UsageError(
        `the config file ${this.file} is not valid JSON (${jsonProblemAt(text)})`,
        "fix or remove the file, then run `airconn login` again",
      );
    }
    return checkShape(parsed, this.file);
  }

  currentProfileName(): string {
    return this.read().current_profile ?? DEFAULT_PROFILE;
  }

  profile(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /**
   * Applies `change` to the file as it is now and writes it atomically (file 0600, folder 0700), under the lock:
   * another process's write between this one's read and write is never lost.
   */
  async update(change: (data: ConfigData) => void): Promise<void> {
    this.read(); // a file this airconn refuses is refused before the folder is touched
    this.ensureDir();
    const [{ default: Conf }, { withLock }] = await Promise.all([import("conf"), import("./lock.js")]);
    await withLock(`${this.file}.lock`, this.file, () => {
      const data = this.load();
      change(data);
      try {
        const conf = new Conf<Record<string, unknown>>({
          cwd: this.dir,
          configName: "config",
          projectName: "airconn",
          projectSuffix: "",
          configFileMode: 0o600,
          clearInvalidConfig: false,
          accessPropertiesByDotNotation: false,
          watch: false,
        });
        conf.store = data as unknown as Record<string, unknown>;
        chmodSync(this.file, 0o600);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw e;
        throw new AirconnError(
          `cannot write the config file ${this.file}: ${errnoText(e)}`,
          undefined,
          this.moveHint(),
        );
      }
      this.cache = data;
    });
  }

  /** Creates the folder (0700) or checks the one there, tightening it to 0700; says where and why when it cannot. */
  private ensureDir(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const blocker = code === "ENOTDIR" || code === "EEXIST" ? notAFolder(this.dir) : undefined;
      const why = blocker
        ? `${blocker} is a file, not a folder`
        : code === "EACCES" || code === "EPERM"
          ? `${writableAncestor(this.dir)} cannot be written (${code})`
          : errnoText(e);
      throw new AirconnError(
        `cannot create the config folder ${this.dir} (from ${this.dirFrom}): ${why}`,
        undefined,
        this.moveHint(),
      );
    }
    const st = statSync(this.dir);
    if (!st.isDirectory())
      throw new UsageError(`the config folder ${this.dir} (from ${this.dirFrom}) is not a folder`, this.moveHint());
    checkSafe(this.dir, st, "folder");
    if ((st.mode & 0o777) !== 0o700) {
      try {
        chmodSync(this.dir, 0o700);
      } catch {
        /* not ours to change (checked above): reading and writing still work */
      }
    }
  }

  private moveHint(): string {
    return this.dirFrom === "AIRCONN_CONFIG_DIR"
      ? "set AIRCONN_CONFIG_DIR to a folder you can write"
      : `set AIRCONN_CONFIG_DIR to a folder you can write${this.dirFrom === "XDG_CONFIG_HOME" ? ", or fix XDG_CONFIG_HOME" : ""}`;
  }
}

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/** The nearest ancestor of `path` (or itself) that exists and is not a folder. */
function notAFolder(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    const st = statOrUndefined(p);
    if (st && !st.isDirectory()) return p;
    if (p === dirname(p)) return undefined;
  }
}

/** The nearest existing ancestor of `path`: the folder whose permissions stop mkdir. */
function writableAncestor(path: string): string {
  for (let p = dirname(path); ; p = dirname(p)) if (statOrUndefined(p) || p === dirname(p)) return p;
}

const mode = (st: Stats) => (st.mode & 0o777).toString(8).padStart(3, "0");

/**
 * Refuses a config file or folder another user could change: owned by someone else (root excepted, as ssh does:
 * root can change anything anyway), or writable by its group or everyone. Such a file could name a token command
 * that airconn would run as this user.
 */
function checkSafe(path: string, st: Stats, what: "file" | "folder"): void {
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX owners and modes
  if (st.uid !== uid && st.uid !== 0) {
    throw new UsageError(
      `the config ${what} ${path} belongs to another user (uid ${st.uid}; airconn runs as uid ${uid}): it is not used, since its owner could change the token command it runs`,
      `if it is yours: chown ${uid} '${path}'; else set AIRCONN_CONFIG_DIR to a folder of your own`,
    );
  }
  if (st.mode & 0o022) {
    const who = st.mode & 0o002 ? "everyone" : "its group";
    throw new UsageError(
      `the config ${what} ${path} can be written by ${who} (mode ${mode(st)}): it is not used, since anyone who can write it could change the token command it runs`,
      `chmod ${what === "folder" ? "700" : "600"} '${path}'`,
    );
  }
}

const kind = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `a ${typeof v}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const STRING_FIELDS = [
  "api_url",
  "token",
  "username",
  "token_command",
  "ca_cert",
  "mwaa_environment",
  "aws_region",
] as const;

/** The parsed file as ConfigData, or a UsageError naming the file and what is wrong with it. */
function checkShape(parsed: unknown, file: string): ConfigData {
  const bad = (why: string) =>
    new UsageError(
      `the config file ${file} does not hold airconn profiles: ${why}`,
      "fix or remove the file, then run `airconn login` again",
    );
  if (!isObject(parsed)) throw bad(`it holds ${kind(parsed)}, not an object`);
  if (parsed.version !== undefined && parsed.version !== 1)
    throw bad(`version ${JSON.stringify(parsed.version)} is not one this airconn reads (1)`);
  if (!("profiles" in parsed)) throw bad(`it has no "profiles"`);
  if (!isObject(parsed.profiles))
    throw bad(`"profiles" is ${kind(parsed.profiles)}, not an object of profiles by name`);
  if (parsed.current_profile !== undefined && typeof parsed.current_profile !== "string")
    throw bad(`"current_profile" is ${kind(parsed.current_profile)}, not a string`);
  for (const [name, p] of Object.entries(parsed.profiles)) {
    if (!isObject(p)) throw bad(`profile "${name}" is ${kind(p)}, not an object`);
    for (const f of STRING_FIELDS)
      if (p[f] !== undefined && typeof p[f] !== "string")
        throw bad(`profile "${name}": ${f} is ${kind(p[f])}, not a string`);
    if (p.insecure !== undefined && typeof p.insecure !== "boolean")
      throw bad(`profile "${name}": insecure is ${kind(p.insecure)}, not true or false`);
  }
  return parsed as unknown as ConfigData;
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME_RE.test(name)) {
    throw new UsageError(
      `invalid profile name "${name}": use letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)`,
    );
  }
  return name;
}
