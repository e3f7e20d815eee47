// `${VAR}` / `${VAR:-default}` substitution in string values; `$$` is a literal `$`.
// A `$` followed by anything else is kept as it is. Errors name the variable, never a value.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Problems are reported through this (the caller adds file, line and field). */
export class SubstProblem extends Error {}

export function substitute(text: string, env: Record<string, string | undefined>): string {
  if (!text.includes("$")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (next !== "{") {
      out += "$";
      i++;
      continue;
    }
    const close = text.indexOf("}", i + 2);
    if (close < 0) throw new SubstProblem("unterminated ${...} (write $$ for a literal $)");
    const inner = text.slice(i + 2, close);
    const dash = inner.indexOf(":-");
    const name = dash >= 0 ? inner.slice(0, dash) : inner;
    if (!NAME.test(name)) {
      throw new SubstProblem(
        `invalid variable name in \${...}: ${JSON.stringify(name.slice(0, 40))} (write $$ for a literal $)`,
      );
    }
    const value = env[name];
    if (value !== undefined && (dash < 0 || value !== "")) out += value;
    else if (dash >= 0) out += inner.slice(dash + 2);
    else throw new SubstProblem(`environment variable ${name} is not set`);
    i = close + 1;
  }
  return out;
}
