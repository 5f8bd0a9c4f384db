// The one place that loads the SQLite driver. Two builds of better-sqlite3 are installed:
// 12 (the package `better-sqlite3`, compiled for the Node.js that ran `npm ci`) and 13 (the
// package `better-sqlite3-napi`, prebuilt, Node-API). 12 aborts the process on Node 24 when its
// statements are garbage-collected (`Assertion failed: (env) != nullptr`); 13 needs Node 22 or
// later and crashes on Node 20. So the running Node's major version picks the build, and every
// module (tests, bench and scripts included) opens SQLite through here, never by importing
// better-sqlite3 itself (eslint enforces it).
import { createRequire } from 'node:module';
import type DatabaseConstructor from 'better-sqlite3';
import { DependencyError, errorMessage } from '../../errors.js';

export type SqliteDatabase = DatabaseConstructor.Database;
export type SqliteConstructor = typeof DatabaseConstructor;

export interface SqliteBuild {
  /** The package name in node_modules. */
  pkg: 'better-sqlite3' | 'better-sqlite3-napi';
  /** better-sqlite3's major version, for messages. */
  major: 12 | 13;
}

/** Node-API build from Node 22 on (13 needs it); the Node 20 build before. */
export function chooseSqliteBuild(nodeVersion: string): SqliteBuild {
  const major = Number(/^v?(\d+)\./.exec(nodeVersion)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`cannot read a Node.js version from "${nodeVersion}"`);
  return major >= 22 ? { pkg: 'better-sqlite3-napi', major: 13 } : { pkg: 'better-sqlite3', major: 12 };
}

/** What to tell a person whose chosen build does not load; names the build, the Node and the fix. */
export function sqliteLoadProblem(build: SqliteBuild, nodeVersion: string, error: string): string {
  // Node's own text says what is wrong (another NODE_MODULE_VERSION, a missing file) over several
  // lines; keep it on one, without the require stack or Node's generic advice (ours follows).
  const cause = (error.split('\nRequire stack')[0] ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/ Please try re-compiling.*$/, '')
    .replace(/\.$/, '');
  const which = `better-sqlite3 ${build.major} (package ${build.pkg}), the SQLite driver for Node.js ${nodeVersion}`;
  const fix =
    build.major === 12
      ? 'run `npm ci` again with this Node.js (it compiles this driver from source for the Node.js that runs it, ' +
        'which needs python3, make and a C++ compiler), or use Node.js 22 or later'
      : 'run `npm ci` again with this Node.js';
  return `cannot load ${which}: ${cause}; ${fix}`;
}

let loaded: SqliteConstructor | undefined;

/**
 * The better-sqlite3 constructor for this Node.js. Loads it once and opens an in-memory
 * database, because the native part is only loaded on first use and a build made for another
 * Node.js fails there; the failure becomes one clear DependencyError (exit 3) instead of a stack.
 */
export function sqlite(): SqliteConstructor {
  if (loaded) return loaded;
  const build = chooseSqliteBuild(process.versions.node);
  try {
    const Database = createRequire(import.meta.url)(build.pkg) as SqliteConstructor;
    new Database(':memory:').close();
    loaded = Database;
    return Database;
  } catch (err) {
    throw new DependencyError('tracker', sqliteLoadProblem(build, process.versions.node, errorMessage(err)));
  }
}

const statements = new WeakMap<SqliteDatabase, Map<string, DatabaseConstructor.Statement>>();

/** The statement for `sql` on `db`, prepared on first use and kept: preparing costs more than
 *  running one of the tracker's short statements, and a run repeats the same few thousands of times. */
export function prepared(db: SqliteDatabase, sql: string): DatabaseConstructor.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/** `new Database(file, options)` with the build for this Node.js. */
export function openSqlite(file: string, options?: DatabaseConstructor.Options): SqliteDatabase {
  const Database = sqlite();
  return new Database(file, options);
}

/** Each tracker connection's page cache, in KiB: SQLite's own default, not better-sqlite3's
 *  16 MB. A cache fills with the pages its connection touches and stays full: the writer
 *  thread's with a long run's new rows, the main one's with the whole file at the daily
 *  backup; 16 + 16 MB made a run's memory grow with its batch. The tracker's queries go
 *  through indexes, and the operating system caches the file anyway (BENCHMARKS.md, issue 14). */
export const CACHE_KIB = 2000;
