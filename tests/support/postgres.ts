// Finds one PostgreSQL server, in the order the README documents: TEST_DATABASE_URL, then a
// Testcontainers PostgreSQL where a container engine answers, then a server at 127.0.0.1:5432
// as user postgres. Shared by the test run (globalSetup.ts) and `npm run demo`, so both find
// the same server the same way. Free of vitest, so a plain `tsx` script can import it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FoundPostgres {
  /** A connection string with the right to CREATE DATABASE. */
  adminUrl: string;
  /** Where it came from, for a person reading the demo's output. */
  how: 'TEST_DATABASE_URL' | 'Testcontainers' | 'local server';
  /** Stops the container when one was started; does nothing otherwise. */
  stop(): Promise<void>;
}

export async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function containerEngineLikely(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_HOST) || fs.existsSync('/var/run/docker.sock') || fs.existsSync(`${env.HOME}/.docker/run/docker.sock`);
}

export async function findPostgres(env: NodeJS.ProcessEnv = process.env): Promise<FoundPostgres> {
  const none = async () => undefined;
  const given = env.TEST_DATABASE_URL;
  if (given) {
    // Set but dead is a mistake worth stopping on, not a reason to quietly use another server.
    if (!(await answers(given))) throw new Error('TEST_DATABASE_URL is set but PostgreSQL does not answer there');
    return { adminUrl: given, how: 'TEST_DATABASE_URL', stop: none };
  }
  if (containerEngineLikely(env)) {
    try {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16-alpine').start();
      return { adminUrl: container.getConnectionUri(), how: 'Testcontainers', stop: async () => void (await container.stop()) };
    } catch {
      // No engine after all: fall through to the local server.
    }
  }
  if (await answers(LOCAL_POSTGRES_URL)) return { adminUrl: LOCAL_POSTGRES_URL, how: 'local server', stop: none };
  throw new Error(
    'No PostgreSQL found. Either set TEST_DATABASE_URL, or make a container engine (Docker/Podman) reachable for Testcontainers, or run a server at 127.0.0.1:5432 that user postgres can reach without a password.',
  );
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A fresh, uniquely named database on the server; drop() removes it even with clients still connected. */
export async function createDatabase(adminUrl: string, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { name, url: withDatabase(adminUrl, name), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
