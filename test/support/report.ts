// The per-id report that bulk, import, apply, defaults and multi-id delete print (-o json), as tests read it.
export interface ReportFailure {
  connection_id: string;
  action: string;
  error: string;
  status_code: number | null;
}
export interface ReportJson {
  created: string[];
  updated: string[];
  deleted: string[];
  skipped: string[];
  failed: ReportFailure[];
}

/** The report from a run's stdout. */
export const report = (stdout: string): ReportJson => JSON.parse(stdout) as ReportJson;

/** The summary line every report prints on stderr. */
export const SUMMARY = /^created \d+, updated \d+, deleted \d+, skipped \d+, failed \d+$/m;
