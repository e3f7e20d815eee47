// The help topics (`airconn help TOPIC`): their names and one-line summaries only, for `airconn --help`, completion
// and the reference generator. The texts are in ./topics.ts, which only the help command's action loads.

export const HELP_TOPICS = [
  { name: "environment", summary: "every environment variable airconn reads, and which setting wins" },
  { name: "exit-codes", summary: "what each exit status means" },
  { name: "output", summary: "output formats, colour, tables, and output for scripts" },
  { name: "patterns", summary: "choosing connections with --pattern and --prefix, by Airflow version" },
  { name: "files", summary: "the files import, export, bulk, diff and apply read and write; limits" },
  { name: "auth", summary: "profiles, tokens and token commands, TLS and proxies, managed Airflows" },
] as const;

export type TopicName = (typeof HELP_TOPICS)[number]["name"];

export const isTopicName = (s: string): s is TopicName => HELP_TOPICS.some((t) => t.name === s);
