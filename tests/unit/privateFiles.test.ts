// Owner-only files and folders whatever the umask: 0 would give 0666/0777, 0277 would give
// folders jira-sync cannot even write into. Existing folders keep their modes; files are tightened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, ensurePrivateFile, tightenFile, writePrivateFile } from '../../src/privateFiles.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;
let dir: string;
let savedUmask: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-modes-'));
  savedUmask = process.umask();
});
afterEach(() => {
  process.umask(savedUmask);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([0o000, 0o022, 0o277])('umask %o', (umask) => {
  beforeEach(() => process.umask(umask));

  it('creates every missing folder 0700 and leaves an existing one alone', () => {
    fs.mkdirSync(path.join(dir, 'mine'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'mine'), 0o755);
    ensurePrivateDir(path.join(dir, 'mine', 'a', 'b'));
    expect(mode(path.join(dir, 'mine'))).toBe(0o755);
    expect(mode(path.join(dir, 'mine', 'a'))).toBe(0o700);
    expect(mode(path.join(dir, 'mine', 'a', 'b'))).toBe(0o700);
    ensurePrivateDir(path.join(dir, 'mine', 'a', 'b')); // already there: no error
  });

  it('creates a file 0600 and tightens an existing one without touching its content', () => {
    const f = path.join(dir, 'tracker.db');
    ensurePrivateFile(f);
    expect(mode(f)).toBe(0o600);
    fs.writeFileSync(f, 'data');
    fs.chmodSync(f, 0o644);
    ensurePrivateFile(f);
    expect(mode(f)).toBe(0o600);
    expect(fs.readFileSync(f, 'utf8')).toBe('data');
  });

  it('tightening keeps an owner read-only file read-only (a read-only tracker is still reported)', () => {
    const f = path.join(dir, 'readonly.db');
    fs.writeFileSync(f, 'data');
    fs.chmodSync(f, 0o444);
    ensurePrivateFile(f);
    expect(mode(f)).toBe(0o400);
  });

  it('writes a whole file 0600, also over a wider one', () => {
    const f = path.join(dir, 'highwater.json.tmp');
    fs.writeFileSync(f, 'old, longer content');
    fs.chmodSync(f, 0o666);
    writePrivateFile(f, 'new');
    expect(mode(f)).toBe(0o600);
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
  });
});

describe('tightenFile', () => {
  it('ignores a missing file and leaves an owner-only one as it is', () => {
    expect(() => tightenFile(path.join(dir, 'nope'))).not.toThrow();
    const f = path.join(dir, 'ro');
    fs.writeFileSync(f, 'x');
    fs.chmodSync(f, 0o400);
    tightenFile(f);
    expect(mode(f)).toBe(0o400);
  });
});
