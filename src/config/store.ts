// Profiles: one JSON file (config.json) under AIRCONN_CONFIG_DIR, default $XDG_CONFIG_HOME/airconn or ~/.config/airconn.
// Reads are a plain readFileSync + JSON.parse (every API command reads the profile, and `conf` costs ~100 ms to
// import); writes go through `conf`, loaded only then, which writes atomically with mode 0600. The folder is 0700.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

// node:os only when HOME is unset (rare): not loading it keeps start-up lean.
const homedir = (): string => (createRequire(import.meta.url)("node:os") as typeof import("node:os")).homedir();
import { UsageError } from "../errors.js";

export interface Profile {
  api_url?: string;
  token?: string;
  username?: string;
  /** A shell command that prints an access token; run when a token is needed and again once on a 401. */
  token_command?: string;
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
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith("/") ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), ".config");
  return join(xdg, "airconn");
}

export class ConfigStore {
  readonly dir: string;
  readonly file: string;
  private cache?: ConfigData;

  constructor(env: NodeJS.ProcessEnv) {
    this.dir = configDir(env);
    this.file = join(this.dir, "config.json");
  }

  read(): ConfigData {
    if (this.cache) return this.cache;
    let data: ConfigData = { version: 1, profiles: {} };
    if (existsSync(this.file)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(this.file, "utf8"));
      } catch (e) {
        throw new UsageError(`the config file ${this.file} is not valid JSON (${(e as Error).message})`,
          "fix or remove the file, then run `airconn login` again");
      }
      if (!parsed || typeof parsed !== "object" || typeof (parsed as ConfigData).profiles !== "object" || (parsed as ConfigData).profiles === null) {
        throw new UsageError(`the config file ${this.file} does not hold airconn profiles`, "fix or remove the file");
      }
      data = parsed as ConfigData;
    }
    this.cache = data;
    return data;
  }

  currentProfileName(): string {
    return this.read().current_profile ?? DEFAULT_PROFILE;
  }

  profile(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /** Applies `change` to the stored data and writes it atomically (file 0600, folder 0700). */
  async update(change: (data: ConfigData) => void): Promise<void> {
    const data = structuredClone(this.read());
    change(data);
    this.ensureDir();
    const { default: Conf } = await import("conf");
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
    this.cache = data;
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if ((statSync(this.dir).mode & 0o777) !== 0o700) chmodSync(this.dir, 0o700);
  }
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME_RE.test(name)) {
    throw new UsageError(`invalid profile name "${name}": use letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)`);
  }
  return name;
}
