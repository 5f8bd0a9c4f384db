// The run lock across hosts: a PostgreSQL session advisory lock, held on a connection of its
// own for the whole run. PostgreSQL releases it when that session ends, so a host that dies
// (process killed, machine gone, network cut) frees it without anyone's help. A small holder
// row in the tracker schema names who holds it, for the message a second run prints; the row
// is only a label, the lock is PostgreSQL's.
import os from 'node:os';
import pg from 'pg';
import { DependencyError, LockHeldError, errorMessage } from '../../../errors.js';
import { connectFailure } from '../../postgres/source.js';
import { describeHolder, type LockHolder } from '../lock.js';
import { quoteSchema } from './migrations.js';

/** The lock's key: one per tracker schema, so two trackers in one database do not block each other. */
const LOCK_KEY_SQL = `hashtextextended('jira-sync run lock ' || $1, 0)`;

async function readHolder(client: pg.ClientBase, schema: string): Promise<LockHolder | null> {
  try {
    const [r] = (await client.query<{ run_id: string; host: string; pid: number; started_at: string }>(`SELECT run_id, host, pid, started_at FROM ${quoteSchema(schema)}.run_lock_holder WHERE id = 1`)).rows;
    return r ? { runId: r.run_id, host: r.host, pid: r.pid, startedAt: r.started_at } : null;
  } catch {
    return null;
  }
}

export class PgRunLock {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    private readonly runId: string,
  ) {}

  /** Takes the lock or throws LockHeldError naming the holder's run, pid and host. The schema
   *  must exist (PostgresTrackerStore.open migrates it first). */
  static async acquire(url: string, schema: string, holder: { runId: string; startedAt: string }, redact: (s: string) => string = (s) => s): Promise<PgRunLock> {
    const client = new pg.Client({ connectionString: url });
    // The lock lives as long as this connection: losing it mid-run is logged by the run's own queries.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const got = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY_SQL}) AS ok`, [schema])).rows[0]?.ok === true;
      if (!got) {
        const h = await readHolder(client, schema);
        await client.end().catch(() => undefined);
        throw new LockHeldError(describeHolder(h));
      }
      await client.query(
        `INSERT INTO ${quoteSchema(schema)}.run_lock_holder (id, run_id, host, pid, started_at) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, host = excluded.host, pid = excluded.pid, started_at = excluded.started_at`,
        [holder.runId, os.hostname(), process.pid, holder.startedAt],
      );
      return new PgRunLock(client, schema, holder.runId);
    } catch (err) {
      if (err instanceof LockHeldError) throw err;
      await client.end().catch(() => undefined);
      throw new DependencyError('tracker', `cannot take the run lock in the PostgreSQL tracker (schema ${schema}): ${redact(errorMessage(err))}`);
    }
  }

  /** The holder if a run holds the lock now, else null; takes no lock that could outlive the call.
   *  A database that does not answer is a DependencyError naming the tracker (status's one line). */
  static async currentHolder(url: string, schema: string): Promise<LockHolder | null | 'unknown'> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw new DependencyError('tracker', `cannot read the PostgreSQL tracker (TRACKER_DATABASE_URL, schema ${schema})${connectFailure(err, url, 'TRACKER_DATABASE_URL')}`);
    }
    try {
      const held = (await client.query<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
            AND ((classid::bigint << 32) | objid::bigint) = (${LOCK_KEY_SQL})) AS held`,
        [schema],
      )).rows[0]?.held === true;
      if (!held) return null;
      return (await readHolder(client, schema)) ?? 'unknown';
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    try {
      await this.client.query(`DELETE FROM ${quoteSchema(this.schema)}.run_lock_holder WHERE id = 1 AND run_id = $1`, [this.runId]);
      await this.client.query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`, [this.schema]);
    } catch {
      // Ending the session below releases the lock anyway.
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}
