// Doctor's checks on a PostgreSQL tracker (TRACKER_DATABASE_URL): the connection, the schema
// version, the privileges a run needs, and the run lock. Read-only: it creates nothing, so a
// schema that does not exist yet is reported as "the first run creates it" when it may.
import pg from 'pg';
import { PG_SCHEMA_VERSION, quoteSchema } from '../adapters/tracker/postgres/migrations.js';
import { PgRunLock } from '../adapters/tracker/postgres/runLock.js';
import { describeHolder } from '../adapters/tracker/lock.js';
import type { ResolvedConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { makeRedactor } from '../logging/index.js';
import type { DoctorReport } from './report.js';

export async function checkPostgresTracker(r: DoctorReport, config: ResolvedConfig, url: string): Promise<void> {
  const what = 'tracker';
  const schema = config.trackerSchema;
  const redact = makeRedactor(config.secrets);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    r.fail({ kind: 'dependency', what, detail: `cannot connect to the PostgreSQL tracker (TRACKER_DATABASE_URL): ${redact(errorMessage(err))}`, fix: 'check TRACKER_DATABASE_URL and that the server accepts this user' });
    r.skip('run lock', 'the tracker database does not answer');
    return;
  }
  try {
    const exists = (await client.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok', [schema])).rows[0]?.ok === true;
    if (!exists) {
      const canCreate = (await client.query<{ ok: boolean }>(`SELECT has_database_privilege(current_database(), 'CREATE') AS ok`)).rows[0]?.ok === true;
      if (canCreate) r.ok(what, `schema ${schema} does not exist yet; the first run creates it`);
      else r.fail({ kind: 'dependency', what, detail: `schema ${schema} does not exist and this user may not create it`, fix: `create schema ${schema} owned by this user, or GRANT CREATE ON DATABASE to it` });
      r.ok('run lock', 'free');
      return;
    }
    const s = quoteSchema(schema);
    const versionRow = (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`).catch(() => ({ rows: [] as { version: number }[] }))).rows[0];
    const version = versionRow?.version ?? 0;
    if (version > PG_SCHEMA_VERSION) {
      r.fail({ kind: 'dependency', what, detail: `schema ${schema} has version ${version}, newer than this jira-sync understands (${PG_SCHEMA_VERSION})`, fix: 'install the jira-sync version that last wrote it, or a newer one' });
      return;
    }
    // Each privilege on its own: has_table_privilege with a list is true when any one of them is
    // held. Every table and every sequence (a run's INSERT takes numbers from them) of the schema.
    const privileges = (
      await client.query<{ usage: boolean; create: boolean; tables: boolean; sequences: boolean }>(
        `SELECT has_schema_privilege($1, 'USAGE') AS usage, has_schema_privilege($1, 'CREATE') AS create,
                coalesce(bool_and(has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE'))
                  FILTER (WHERE c.relkind IN ('r', 'p')), true) AS tables,
                coalesce(bool_and(has_sequence_privilege(c.oid, 'USAGE') OR has_sequence_privilege(c.oid, 'UPDATE')) FILTER (WHERE c.relkind = 'S'), true) AS sequences
           FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
          WHERE n.nspname = $1`,
        [schema],
      )
    ).rows[0];
    const missing = [
      !privileges?.usage && 'USAGE on the schema',
      version < PG_SCHEMA_VERSION && !privileges?.create && 'CREATE on the schema (to migrate it)',
      !privileges?.tables && 'SELECT, INSERT, UPDATE, DELETE on every table',
      !privileges?.sequences && 'USAGE on every sequence',
    ].filter(Boolean);
    if (missing.length > 0) {
      r.fail({ kind: 'dependency', what, detail: `this user lacks ${missing.join(', ')} in schema ${schema}`, fix: `let the user in TRACKER_DATABASE_URL own schema ${schema}, or GRANT USAGE ON SCHEMA ${schema}, SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} and USAGE ON ALL SEQUENCES IN SCHEMA ${schema} to it` });
      return;
    }
    const upgrade = version < PG_SCHEMA_VERSION ? `; the next run upgrades it to ${PG_SCHEMA_VERSION}` : '';
    r.ok(what, `PostgreSQL, schema ${schema} (version ${version}${upgrade}), writable`);
  } catch (err) {
    r.fail({ kind: 'dependency', what, detail: `cannot read the PostgreSQL tracker: ${redact(errorMessage(err))}`, fix: 'check TRACKER_DATABASE_URL and TRACKER_SCHEMA' });
    return;
  } finally {
    await client.end().catch(() => undefined);
  }
  try {
    const holder = await PgRunLock.currentHolder(url, schema);
    if (holder === null) r.ok('run lock', 'free');
    else r.warn('run lock', `held by ${holder === 'unknown' ? 'a run (holder unknown)' : describeHolder(holder)}`, 'a run is in progress; PostgreSQL frees the lock when its holder ends or dies');
  } catch (err) {
    r.warn('run lock', `cannot tell whether a run holds it (${redact(errorMessage(err))})`, 'check TRACKER_DATABASE_URL');
  }
}
