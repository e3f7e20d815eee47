// Airflow's connection_id_pattern, evaluated locally: a case-insensitive "contains" with SQL LIKE wildcards
// (% any run, _ any one character); "a | b" is either term; "~" alone means everything.
export function patternMatcher(pattern: string | undefined): (id: string) => boolean {
  if (pattern === undefined || pattern === "" || pattern === "~") return () => true;
  const terms = orTerms(pattern);
  const list = terms ?? [pattern];
  const res = list.map(
    (t) =>
      new RegExp(
        t
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(/%/g, "[\\s\\S]*")
          .replace(/_/g, "[\\s\\S]"),
        "iu",
      ),
  );
  return (id) => res.some((r) => r.test(id));
}

/**
 * The terms of a connection_id_pattern that Airflow (3.2 and newer) ORs: split at "|", each trimmed, when two or
 * more are not empty. undefined for a pattern that is one term (no "|", or "a|", which 3.2 takes literally).
 */
export function orTerms(pattern: string): string[] | undefined {
  if (!pattern.includes("|")) return undefined;
  const terms = pattern
    .split("|")
    .map((t) => t.trim())
    .filter(Boolean);
  return terms.length > 1 ? terms : undefined;
}

/**
 * What to send for --pattern. `serverOrs`: the server ORs "|" terms itself (Airflow 3.2 and newer, isAirflow32).
 * Airflow 3.0 and 3.1 have no "|": they take "a|b" as one term, which no connection id can contain (ids never hold
 * "|"), so the answer would be empty. For them, and for a server whose version could not be read, the terms are
 * listed one by one (`patternTerms`: AirflowApi.pages merges them). A term "~" alone would mean "everything" there,
 * where it matches nothing inside "a|~": it is left out.
 */
export function patternQuery(
  pattern: string | undefined,
  serverOrs: boolean,
): { pattern?: string; patternTerms?: string[] } {
  const terms = pattern === undefined ? undefined : orTerms(pattern);
  if (!terms || serverOrs) return { pattern };
  return { patternTerms: terms.filter((t) => t !== "~") };
}

/** Whether the pattern's meaning depends on the server's version (it has "|" terms): then the version is read. */
export const patternNeedsVersion = (pattern: string | undefined): boolean =>
  pattern !== undefined && orTerms(pattern) !== undefined;

/**
 * Airflow 3.3's connection_id_prefix_pattern, as terms: undefined means "everything" (`~`, or nothing left).
 * Rules (the 3.3 spec's description): `|` separates terms (OR), each trimmed; trailing characters that are not
 * letters or digits (Unicode-aware) are stripped from each term (`test_` → `test`, `s3://` → `s3`), and a term left
 * empty is dropped; `%` and `_` are literal; matching is a case-sensitive "starts with".
 */
export function prefixTerms(pattern: string | undefined): string[] | undefined {
  if (pattern === undefined || pattern.trim() === "~") return undefined;
  const terms = pattern
    .split("|")
    .map((t) => t.trim().replace(/[^\p{L}\p{N}]+$/u, ""))
    .filter((t) => t.length > 0);
  return terms.length ? terms : undefined;
}

/** A matcher for connection_id_prefix_pattern with exactly the server's semantics (see prefixTerms). */
export function prefixMatcher(pattern: string | undefined): (id: string) => boolean {
  const terms = prefixTerms(pattern);
  if (!terms) return () => true;
  return (id) => terms.some((t) => id.startsWith(t));
}
