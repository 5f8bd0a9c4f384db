// The SQLite driver choice: better-sqlite3 12 aborts on Node 24 and 13 crashes on Node 20, so the
// running Node's major version must pick the build, and a build that cannot load must say so plainly.
import { describe, expect, it } from 'vitest';
import { chooseSqliteBuild, openSqlite, sqliteLoadProblem } from '../../src/adapters/tracker/sqlite.js';

describe('chooseSqliteBuild', () => {
  it.each([
    ['20.20.2', 'better-sqlite3', 12],
    ['v20.0.0', 'better-sqlite3', 12],
    ['21.7.3', 'better-sqlite3', 12],
    ['22.0.0', 'better-sqlite3-napi', 13],
    ['22.21.1', 'better-sqlite3-napi', 13],
    ['v24.21.0', 'better-sqlite3-napi', 13],
    ['25.1.0', 'better-sqlite3-napi', 13],
  ])('Node %s gets %s (%i)', (version, pkg, major) => {
    expect(chooseSqliteBuild(version)).toEqual({ pkg, major });
  });

  it('refuses a version it cannot read instead of guessing', () => {
    expect(() => chooseSqliteBuild('unknown')).toThrow(/cannot read a Node\.js version from "unknown"/);
  });

  it('the running Node gets a build that opens a database and runs a statement', () => {
    const db = openSqlite(':memory:');
    try {
      expect(db.prepare('SELECT sqlite_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^3\.\d+/) });
    } finally {
      db.close();
    }
  });
});

describe('sqliteLoadProblem', () => {
  it('names the build, the Node.js and the fix for the compiled build', () => {
    const msg = sqliteLoadProblem({ pkg: 'better-sqlite3', major: 12 }, '20.20.2', 'was compiled against a different Node.js version');
    expect(msg).toContain('better-sqlite3 12 (package better-sqlite3)');
    expect(msg).toContain('Node.js 20.20.2');
    expect(msg).toContain('was compiled against a different Node.js version');
    expect(msg).toContain('npm ci');
    expect(msg).toContain('Node.js 22 or later');
  });

  it("keeps Node's own reason on one line, without the require stack or Node's generic advice", () => {
    const node =
      "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
      'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 137. This version of Node.js requires\n' +
      'NODE_MODULE_VERSION 115. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).';
    const msg = sqliteLoadProblem({ pkg: 'better-sqlite3', major: 12 }, '20.20.2', node);
    expect(msg).not.toContain('\n');
    expect(msg).toContain('NODE_MODULE_VERSION 137. This version of Node.js requires NODE_MODULE_VERSION 115; run `npm ci` again');
    expect(msg).not.toContain('Please try');
    const missing = sqliteLoadProblem({ pkg: 'better-sqlite3', major: 12 }, '20.20.2', "Cannot find module 'better-sqlite3'\nRequire stack:\n- /app/dist/x.js");
    expect(msg.length).toBeLessThan(500);
    expect(missing).toContain("Cannot find module 'better-sqlite3'; run `npm ci` again");
    expect(missing).not.toContain('Require stack');
  });

  it('names the prebuilt build and the fix', () => {
    const msg = sqliteLoadProblem({ pkg: 'better-sqlite3-napi', major: 13 }, '24.21.0', "Cannot find module 'better-sqlite3-napi'");
    expect(msg).toMatch(/^cannot load better-sqlite3 13 \(package better-sqlite3-napi\), the SQLite driver for Node\.js 24\.21\.0: Cannot find module/);
    expect(msg).toContain('run `npm ci` again with this Node.js');
  });
});
