// The submissions table, read-only. Only this module speaks SQL to Postgres.
import pg from 'pg';
import { DependencyError, errorMessage } from '../../errors.js';
import { kindOf, normalizeRow, normalizeTimestamp, quoteIdent, typeParsers, type ColumnInfo, type Row } from './values.js';

export interface SourceOptions {
  table: string;
  idColumn: string;
  timestampColumn: string;
}

/** Position of a row in (timestamp, id) order; ts is normalised (see values.ts). */
export interface RowPosition {
  sourceId: string;
  sourceTs: string;
  /** Dated after the scan's ceiling (the database's now() plus a margin, or ±infinity's +):
   *  processed like any row, but it never moves the cursor (see Tracker.register). */
  ahead?: boolean;
}

export class PostgresSource {
  private constructor(
    private readonly client: pg.Client,
    private readonly opts: SourceOptions,
  ) {}

  static async connect(databaseUrl: string, opts: SourceOptions): Promise<PostgresSource> {
    const client = new pg.Client({
      connectionString: databaseUrl,
      types: typeParsers,
      // UTC session: timestamps print the same on every machine (see values.ts).
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 10_000,
      application_name: 'jira-sync',
    });
    client.on('error', () => {
      /* a dropped connection surfaces on the next query */
    });
    try {
      await client.connect();
    } catch (err) {
      throw new DependencyError('PostgreSQL', `cannot connect to ${connectTarget(client)} (${describePgError(err)}); ${connectHint(err)}`);
    }
    return new PostgresSource(client, opts);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private get table(): string {
    return quoteIdent(this.opts.table);
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.client.query<T>(sql, params)).rows;
    } catch (err) {
      throw new DependencyError('PostgreSQL', `query failed: ${describePgError(err)}`);
    }
  }

  /** Columns of the source table in table order, or null when the table does not exist. */
  async describeTable(): Promise<ColumnInfo[] | null> {
    const rows = await this.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [this.table],
    );
    if (rows.length === 0) {
      const exists = await this.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [this.table]);
      if (!exists[0]?.ok) return null;
    }
    return rows.map((r) => ({ name: r.name, pgType: r.type, kind: kindOf(r.type) }));
  }

  /** Whether an index leads with (timestamp, id), so the keyset scan never reads the whole table.
   *  attname is cast to text: node-postgres leaves a name[] unparsed, as the string "{a,b}". */
  async hasKeysetIndex(): Promise<boolean> {
    const rows = await this.query<{ cols: string[] }>(
      `SELECT array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     ORDER BY k.ord) AS cols
         FROM pg_index i WHERE i.indrelid = to_regclass($1)`,
      [this.table],
    );
    return rows.some((r) => r.cols[0] === this.opts.timestampColumn && r.cols[1] === this.opts.idColumn);
  }

  /**
   * Positions of rows in (timestamp, id) order: from `from` inclusive (a timestamp, for the
   * look-back window) or strictly after `after` (keyset paging). Reads only the two key
   * columns so a window full of already-processed rows costs little.
   */
  async scanPositions(start: ScanStart, limit: number): Promise<RowPosition[]> {
    const q = scanPositionsQuery(this.opts, start, limit);
    const rows = await this.query<{ id: string; ts: string; ahead?: boolean }>(q.text, q.values);
    return rows.map((r) => (r.ahead ? { sourceId: r.id, sourceTs: normalizeTimestamp(String(r.ts)), ahead: true } : { sourceId: r.id, sourceTs: normalizeTimestamp(String(r.ts)) }));
  }

  /**
   * One page of the audit: the ids of up to `limit` rows in (timestamp, id) order, as one JSON
   * array text (handed to the tracker as it is: a million ids never become a million JS
   * strings), their count, and the last position, where the next page starts.
   */
  async auditPage(start: ScanStart, limit: number): Promise<{ count: number; idsJson: string; last: RowPosition | null }> {
    const q = auditPageQuery(this.opts, start, limit);
    const [r] = await this.query<{ n: number; ids: string | null; last_id: string | null; last_ts: string | null }>(q.text, q.values);
    const last = r?.last_id != null && r.last_ts != null ? { sourceId: r.last_id, sourceTs: normalizeTimestamp(String(r.last_ts)) } : null;
    return { count: r?.n ?? 0, idsJson: r?.ids ?? '[]', last };
  }

  /** Positions of the given rows (those still there). */
  async positionsOf(ids: string[]): Promise<RowPosition[]> {
    if (ids.length === 0) return [];
    const ts = quoteIdent(this.opts.timestampColumn);
    const id = quoteIdent(this.opts.idColumn);
    const rows = await this.query<{ id: string; ts: string }>(`SELECT ${id}::text AS id, ${ts} AS ts FROM ${this.table} WHERE ${id}::text = ANY($1::text[])`, [ids]);
    return rows.map((r) => ({ sourceId: r.id, sourceTs: normalizeTimestamp(String(r.ts)) }));
  }

  /** The database's own clock plus a margin, normalised: no row dated later may move the cursor. */
  async ceiling(marginMinutes: number): Promise<string> {
    const rows = await this.query<{ ts: string }>('SELECT now() + make_interval(mins => $1) AS ts', [marginMinutes]);
    return normalizeTimestamp(String(rows[0]?.ts));
  }

  /** Whole rows for the given ids, normalised, in (timestamp, id) order. */
  async fetchRows(ids: string[], columns: ColumnInfo[]): Promise<Row[]> {
    if (ids.length === 0) return [];
    const q = fetchRowsQuery(this.opts, ids, columns);
    return (await this.query<Row>(q.text, q.values)).map((r) => normalizeRow(r, columns));
  }

  /** The newest row, as a sample for map-fields. */
  async newestRow(columns: ColumnInfo[]): Promise<Row | null> {
    const ts = quoteIdent(this.opts.timestampColumn);
    const id = quoteIdent(this.opts.idColumn);
    const rows = await this.query<Row>(`SELECT * FROM ${this.table} ORDER BY ${ts} DESC, ${id} DESC LIMIT 1`);
    return rows[0] ? normalizeRow(rows[0], columns) : null;
  }
}

/** from: inclusive start (the look-back window); after: strictly after (keyset paging); before:
 *  exclusive end (the audit); ceiling: rows dated later come back with `ahead` set. */
export type ScanStart = { from?: string; after?: RowPosition; before?: string; ceiling?: string };

// The two queries a run's fetch makes, as functions so a test and the benchmark can EXPLAIN
// exactly what runs. Both are shaped for the (timestamp, id) index: the scan is a range on
// its leading columns in index order with a LIMIT, so it reads only the rows it returns
// (an index-only scan once the table is vacuumed), whatever the table's size.

/** The WHERE clause of a keyset scan from `start`, its parameters pushed onto `values`. */
function keysetWhere(ts: string, id: string, start: ScanStart, values: unknown[]): string {
  const param = (v: unknown) => `$${values.push(v)}`;
  const conditions: string[] = [];
  if (start.after) {
    // A row comparison, which PostgreSQL turns into one index range; `ts > $1 OR (ts = $1 AND
    // id > $2)` would not be.
    conditions.push(`(${ts}, ${id}) > (${param(start.after.sourceTs)}, ${param(start.after.sourceId)})`);
  } else if (start.from) {
    conditions.push(`${ts} >= ${param(start.from)}`);
  }
  if (start.before) conditions.push(`${ts} < ${param(start.before)}`);
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

/** Keyset page of positions; see PostgresSource.scanPositions. */
export function scanPositionsQuery(opts: SourceOptions, start: ScanStart, limit: number): { text: string; values: unknown[] } {
  // Qualified with the table's alias: a bare ORDER BY "id" would name the output column
  // `id` (the text cast), sorting '10' before '9' against the keyset's numeric order, and
  // forcing a sort of everything after the cursor instead of walking the index.
  const ts = `src.${quoteIdent(opts.timestampColumn)}`;
  const id = `src.${quoteIdent(opts.idColumn)}`;
  const values: unknown[] = [];
  const where = keysetWhere(ts, id, start, values);
  // Compared by PostgreSQL as timestamps, so infinity, BC dates and years past 9999 are right.
  const ahead = start.ceiling ? `, ${ts} > $${values.push(start.ceiling)}::timestamptz AS ahead` : '';
  return {
    text: `SELECT ${id}::text AS id, ${ts} AS ts${ahead} FROM ${quoteIdent(opts.table)} AS src ${where} ORDER BY ${ts}, ${id} LIMIT $${values.push(limit)}`,
    values,
  };
}

/** The audit's page: the same keyset scan, aggregated into one row (see PostgresSource.auditPage).
 *  The page keeps the id's own type, so "the last row" is last in the scan's order, not in text order. */
export function auditPageQuery(opts: SourceOptions, start: ScanStart, limit: number): { text: string; values: unknown[] } {
  const ts = `src.${quoteIdent(opts.timestampColumn)}`;
  const id = `src.${quoteIdent(opts.idColumn)}`;
  const values: unknown[] = [];
  const where = keysetWhere(ts, id, start, values);
  return {
    text: `WITH page AS (SELECT ${id} AS rid, ${ts} AS ts FROM ${quoteIdent(opts.table)} AS src ${where} ORDER BY ${ts}, ${id} LIMIT $${values.push(limit)}),
                last AS (SELECT rid, ts FROM page ORDER BY ts DESC, rid DESC LIMIT 1)
           SELECT (SELECT count(*)::int FROM page) AS n, (SELECT json_agg(rid::text) FROM page)::text AS ids,
                  (SELECT rid::text FROM last) AS last_id, (SELECT ts FROM last) AS last_ts`,
    values,
  };
}

/** The picked rows by primary key; the columns are the described ones, since the whole
 *  submission is the attachment (and the unique key when UNIQUE_KEY_COLUMNS is unset). */
export function fetchRowsQuery(opts: SourceOptions, ids: string[], columns: ColumnInfo[]): { text: string; values: unknown[] } {
  const idCol = columns.find((c) => c.name === opts.idColumn);
  const ts = quoteIdent(opts.timestampColumn);
  const id = quoteIdent(opts.idColumn);
  // Column names come from the catalogue and may contain dots: quoted whole, not split like a table name.
  const list = columns.length > 0 ? columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ') : '*';
  // Cast the parameter, not the column, so the primary-key index is used.
  return {
    text: `SELECT ${list} FROM ${quoteIdent(opts.table)} WHERE ${id} = ANY($1::${idCol?.pgType ?? 'text'}[]) ORDER BY ${ts}, ${id}`,
    values: [ids],
  };
}

/** Where we tried and as whom: "connection refused" alone does not say which server. */
export function connectTarget(client: pg.Client): string {
  return `${client.host}:${client.port}${client.user ? ` as "${client.user}"` : ''}${client.database ? `, database "${client.database}"` : ''}`;
}

export function describePgError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = errorMessage(err);
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND') return 'host not found';
  // The server's own words: 28000 is 'role "x" does not exist' or "no pg_hba.conf entry ...",
  // 28P01 a wrong password, 3D000 'database "x" does not exist'. Calling them all
  // "authentication failed" sent people hunting for a password that was fine.
  if (e.code === '28P01' || e.code === '28000' || e.code === '3D000') return msg;
  return e.code ? `${msg} [${e.code}]` : msg;
}

/** What to check in `variable` (DATABASE_URL, or TRACKER_DATABASE_URL), by what the server (or the network) said. */
export function connectHint(err: unknown, variable = 'DATABASE_URL'): string {
  const e = err as { code?: string; message?: string };
  if (e.code === '28000' && /role .* does not exist/.test(errorMessage(err))) return `check the user name in ${variable} (or create that role in PostgreSQL)`;
  if (e.code === '28000') return `check the user in ${variable} and the server's pg_hba.conf`;
  if (e.code === '28P01') return `check the user and password in ${variable}`;
  if (e.code === '3D000') return `check the database name in ${variable}`;
  return `check the host and port in ${variable} and that the server is running`;
}

/** After "cannot use …": for a connection that did not come about (network, authentication,
 *  database name), where and as whom, the reason and what to check in `variable`; else the error. */
export function connectFailure(err: unknown, url: string, variable: string): string {
  const code = (err as { code?: string }).code;
  if (!['ECONNREFUSED', 'ENOTFOUND', '28P01', '28000', '3D000'].includes(code ?? '')) return `: ${errorMessage(err)}`;
  return ` at ${connectTarget(new pg.Client({ connectionString: url }))}: ${describePgError(err)}; ${connectHint(err, variable)}`;
}
