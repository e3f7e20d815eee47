// Airflow's connection_id_pattern, evaluated locally: a case-insensitive "contains" with SQL LIKE wildcards
// (% any run, _ any one character); "a | b" is either term; "~" alone means everything.
export function patternMatcher(pattern: string | undefined): (id: string) => boolean {
  if (pattern === undefined || pattern === "" || pattern === "~") return () => true;
  const terms = pattern.split("|").map((t) => t.trim()).filter(Boolean);
  const list = terms.length > 1 ? terms : [pattern];
  const res = list.map((t) => new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, "[\\s\\S]*").replace(/_/g, "[\\s\\S]"), "iu"));
  return (id) => res.some((r) => r.test(id));
}
