// Output formats, chosen once: table on a terminal (cut to its width), tab-separated plain when piped, json or yaml
// on request, wide for the table without cutting.
// Rendering in the chosen format is ./render.ts; the connection views are ./connections.ts.
import { UsageError } from "../errors.js";
import type { IO } from "./io.js";

export const FORMATS = ["table", "wide", "plain", "json", "yaml"] as const;
export type Format = (typeof FORMATS)[number];

export interface OutputOptions {
  format: Format;
  color: boolean;
}

export function resolveFormat(flag: string | undefined, io: IO): Format {
  if (flag === undefined) return io.stdoutIsTTY ? "table" : "plain";
  if (!(FORMATS as readonly string[]).includes(flag)) {
    throw new UsageError(`unknown output format "${flag}": use one of ${FORMATS.join(", ")}`);
  }
  return flag as Format;
}

export function useColor(io: IO, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  return io.stdoutIsTTY && !noColorFlag && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
}
