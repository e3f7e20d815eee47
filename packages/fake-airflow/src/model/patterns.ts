// How GET /connections filters ids: connection_id_pattern (ILIKE, every version) and connection_id_prefix_pattern (3.3).

/**
 * connection_id_pattern: ILIKE '%term%' (PostgreSQL: backslash escapes), with the "|" OR rule and "~". 3.2.1 ORs
 * only when two or more terms are left ("a|" is the literal "a|"); 3.3 drops empty terms ("a|" is "a"). Before 3.2
 * (`noOr`) there is no OR: "a|b" is one term, the literal text, which no connection id can contain.
 */
export function patternMatcher(value: string | null, v33: boolean, noOr = false): ((lower: string) => boolean) | null {
  if (value === null || value === "~") return null;
  let terms = [value];
  if (value.includes("|") && !noOr) {
    const split = value
      .split("|")
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    if (split.length > 1 || (v33 && split.length === 1)) terms = split;
  }
  const regexes = terms.map((t) => likeToRegex(`%${t}%`.toLowerCase()));
  const plain = terms.map((t) => (/[%_\\]/.test(t) ? null : t.toLowerCase()));
  if (plain.every((p) => p !== null)) return (s) => plain.some((p) => s.includes(p!));
  return (s) => regexes.some((r) => r.test(s));
}

/**
 * connection_id_prefix_pattern (3.3): case-sensitive prefix; "|" ORs terms; "~" alone = all; "%" and "_" are
 * literal; trailing non-alphanumeric characters of each term are stripped ("test_" -> "test"). Terms are
 * trimmed; a term that is empty after stripping is dropped; if none is left the parameter filters nothing.
 */
export function prefixTerms(value: string | null): string[] | null {
  if (value === null || value.trim() === "~") return null;
  const terms = value
    .split("|")
    .map((t) => t.trim().replace(/[^\p{L}\p{N}]+$/u, ""))
    .filter((t) => t.length > 0);
  return terms.length ? terms : null;
}

function likeToRegex(p: string): RegExp {
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) re += escapeRe(p[++i]!);
    else if (c === "%") re += "[\\s\\S]*";
    else if (c === "_") re += "[\\s\\S]";
    else re += escapeRe(c);
  }
  return new RegExp(re + "$", "u");
}
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");

/** Both filters of a list request ANDed, or null when neither filters anything. */
export function idFilter(
  contains: ((lower: string) => boolean) | null,
  terms: string[] | null,
): ((lower: string, id: string) => boolean) | null {
  const startsWith = terms ? (id: string) => terms.some((t) => id.startsWith(t)) : null;
  return contains && startsWith
    ? (lower: string, id: string) => contains(lower) && startsWith(id)
    : contains
      ? (lower: string) => contains(lower)
      : startsWith
        ? (_lower: string, id: string) => startsWith(id)
        : null;
}
