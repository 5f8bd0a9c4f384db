// Finds one PostgreSQL server for the whole test run, in the documented order:
// TEST_DATABASE_URL, then a Testcontainers PostgreSQL where a container engine answers,
// then a server at 127.0.0.1:5432 as user postgres. Each test file then makes its own database.
import fs from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

async function answers(url: string): Promise<boolean> {
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

function containerEngineLikely(): boolean {
  return Boolean(process.env.DOCKER_HOST) || fs.existsSync('/var/run/docker.sock') || fs.existsSync(`${process.env.HOME}/.docker/run/docker.sock`);
}

let stopContainer: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (url && !(await answers(url))) throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer there`);
  if (!url && containerEngineLikely()) {
    try {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16-alpine').start();
      stopContainer = () => container.stop();
      url = container.getConnectionUri();
    } catch {
      url = undefined; // no engine after all: fall through to the local server
    }
  }
  if (!url && (await answers('postgres://postgres@127.0.0.1:5432/postgres'))) url = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!url) {
    throw new Error(
      'No PostgreSQL for the tests. Either set TEST_DATABASE_URL, or make a container engine (Docker/Podman) reachable for Testcontainers, or run a server at 127.0.0.1:5432 that user postgres can reach without a password.',
    );
  }
  project.provide('adminDatabaseUrl', url);
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
}
