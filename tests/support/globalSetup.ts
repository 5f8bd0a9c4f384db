// Finds one PostgreSQL server for the whole test run (see postgres.ts for the order);
// each test file then makes its own database on it.
import type { TestProject } from 'vitest/node';
import { findPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

let stopContainer: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const found = await findPostgres();
  stopContainer = found.stop;
  project.provide('adminDatabaseUrl', found.adminUrl);
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
}
