// Airflow's connection_id_pattern, evaluated locally: a case-insensitive "contains" with SQL LIKE wildcards
// (% any run, _ any one character); "a | b" is either term; "~" alone means everything.
export function patternMatcher(pattern: string | undefined): (id: string) => boolean {
  if (pattern === undefined || pattern === "" || pattern === "~") return () => true;
  const terms = pattern.split("|").map((t) => t.trim()).filter(Boolean);
  const list = terms.length > 1 ? terms : [pattern];
  const res = list.map((t) => new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, "[\\s\\S]*").replace(/_/g, "[\\s\\S]"), "iu"));
  return (id) => res.some((r) => r.test(id));
}

/**
 * Airflow 3.3's connection_id_prefix_pattern, as terms: undefined means "everything" (`~`, or nothing left).
 * Rules (the 3.3 spec's description): `|` separates terms (OR), each trimmed; trailing characters that are not
 * letters or digits (Unicode-aware) are stripped from each term (`test_` → `test`, `s3://` → `s3`), and a term left
 * empty is dropped; `%` and `_` are literal; matching is a case-sensitive "starts with".
 */
export function prefixTerms(pattern: string | undefined): string[] | undefined {
  if (pattern === undefined || pattern.trim() === "~") return undefined;
  const terms = pattern.split("|").map((t) => t.trim().replace(/[^\p{L}\p{N}]+$/u, "")).filter((t) => t.length > 0);
  return terms.length ? terms : undefined;
}

/** A matcher for connection_id_prefix_pattern with exactly the server's semantics (see prefixTerms). */
export function prefixMatcher(pattern: string | undefined): (id: string) => boolean {
  const terms = prefixTerms(pattern);
  if (!terms) return () => true;
  return (id) => terms.some((t) => id.startsWith(t));
}
