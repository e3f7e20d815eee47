// The in-memory connection table: lookup by conn_id, rows kept in primary-key (creation) order.
export interface StoredConnection {
  /** primary key: creation order, what order_by=id sorts on */
  id: number;
  connection_id: string;
  conn_type: string;
  description: string | null;
  host: string | null;
  login: string | null;
  schema: string | null;
  port: number | null;
  password: string | null;
  extra: string | null;
  team_name: string | null;
}

export type NewConnection = Omit<StoredConnection, "id">;

interface Row extends StoredConnection {
  alive: boolean;
  lower: string;
}

export const SORTABLE = ["conn_id", "conn_type", "description", "host", "port", "id", "team_name"] as const;
type SortKey = (typeof SORTABLE)[number];

/** Undo log for one request (bulk): a failing request is rolled back as one database transaction. */
export type Journal = (() => void)[];

export class Store {
  private byId = new Map<string, Row>();
  private rows: Row[] = [];
  private dead = 0;
  private nextPk = 1;
  private version = 0;
  private sortCache = new Map<string, { version: number; rows: Row[] }>();

  get size(): number {
    return this.byId.size;
  }

  clear(): void {
    this.byId.clear();
    this.rows = [];
    this.dead = 0;
    this.nextPk = 1;
    this.version++;
    this.sortCache.clear();
  }

  get(id: string): StoredConnection | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Inserts; the caller checks uniqueness. */
  insert(c: NewConnection, journal?: Journal): StoredConnection {
    const row: Row = { id: this.nextPk++, ...c, alive: true, lower: c.connection_id.toLowerCase() };
    this.byId.set(row.connection_id, row);
    this.rows.push(row);
    this.version++;
    journal?.push(() => {
      row.alive = false;
      this.dead++;
      this.byId.delete(row.connection_id);
      this.version++;
    });
    return row;
  }

  update(id: string, fields: Partial<NewConnection>, journal?: Journal): StoredConnection {
    const row = this.byId.get(id)!;
    if (journal) {
      const before: Partial<NewConnection> = {};
      for (const k of Object.keys(fields) as (keyof NewConnection)[]) (before as Record<string, unknown>)[k] = row[k];
      journal.push(() => {
        Object.assign(row, before);
        this.version++;
      });
    }
    Object.assign(row, fields);
    this.version++;
    return row;
  }

  delete(id: string, journal?: Journal): boolean {
    const row = this.byId.get(id);
    if (!row) return false;
    row.alive = false;
    this.dead++;
    this.byId.delete(id);
    this.version++;
    journal?.push(() => {
      row.alive = true;
      this.dead--;
      this.byId.set(id, row);
      this.version++;
    });
    return true;
  }

  /** Live rows in primary-key order (compacts lazily after deletes). */
  ordered(): StoredConnection[] {
    if (this.dead > 0) {
      this.rows = this.rows.filter((r) => r.alive);
      this.dead = 0;
    }
    return this.rows;
  }

  /**
   * The rows matching `match` (or all), in the order of `orderBy` (SortParam semantics: NULLs last in
   * both directions, final tie-break on id, descending when the first key is), then sliced.
   */
  list(
    orderBy: { key: SortKey; desc: boolean }[],
    match: ((lowerId: string, id: string) => boolean) | null,
    offset: number,
    limit: number,
  ): { rows: StoredConnection[]; total: number } {
    const base = this.ordered() as Row[];
    let sorted: Row[];
    const isDefault = orderBy.length === 1 && orderBy[0]!.key === "id";
    if (isDefault && !orderBy[0]!.desc) sorted = base;
    else if (isDefault) sorted = this.cached("-id", () => base.slice().reverse());
    else {
      const cacheKey = orderBy.map((o) => (o.desc ? "-" : "") + o.key).join(",");
      sorted = this.cached(cacheKey, () => base.slice().sort(comparator(orderBy)));
    }
    if (!match) return { rows: sorted.slice(offset, offset + limit), total: sorted.length };
    const out: Row[] = [];
    let total = 0;
    for (const r of sorted) {
      if (!match(r.lower, r.connection_id)) continue;
      if (total >= offset && out.length < limit) out.push(r);
      total++;
    }
    return { rows: out, total };
  }

  private cached(key: string, make: () => Row[]): Row[] {
    const hit = this.sortCache.get(key);
    if (hit && hit.version === this.version) return hit.rows;
    const rows = make();
    if (this.sortCache.size > 16) this.sortCache.clear();
    this.sortCache.set(key, { version: this.version, rows });
    return rows;
  }
}

function value(r: Row, k: SortKey): string | number | null {
  return k === "conn_id" ? r.connection_id : r[k];
}

function comparator(orderBy: { key: SortKey; desc: boolean }[]): (a: Row, b: Row) => number {
  const finalDesc = orderBy[0]!.desc;
  return (a, b) => {
    for (const { key, desc } of orderBy) {
      const x = value(a, key),
        y = value(b, key);
      if (x === null || y === null) {
        if (x === null && y === null) continue;
        return x === null ? 1 : -1; // NULLs last in both directions
      }
      if (x === y) continue;
      const c = x < y ? -1 : 1;
      return desc ? -c : c;
    }
    return finalDesc ? b.id - a.id : a.id - b.id;
  };
}
