// censorKeys (src/logging/redactKeys.ts) against what it replaces: pino's own redaction with
// every path of REDACT_PATHS. Both loggers log the same generated fields and bindings; every
// line must come out the same, and the caller's objects must come out unchanged.
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';

import { REDACT_PATHS, REDACTED } from '../../src/logging/redact.js';
import { ERR_REDACT_PATHS, censorChildBindings, censorKeys, keyRedaction, pathShapes } from '../../src/logging/redactKeys.js';

function logger(how: 'pino' | 'censorKeys', lines: string[]): Logger {
  const sink = { write: (s: string) => void lines.push(s) };
  const common = { base: { pid: 1, hostname: 'h', runId: 'r1' }, timestamp: false as const };
  return how === 'pino'
    ? pino({ ...common, formatters: { level: (label: string) => ({ level: label }) }, redact: { paths: REDACT_PATHS, censor: REDACTED } }, sink)
    : censorChildBindings(pino({ ...common, formatters: { level: (label: string) => ({ level: label }), log: censorKeys, bindings: censorKeys }, redact: { paths: ERR_REDACT_PATHS, censor: REDACTED } }, sink));
}

const SECRET_KEYS = ['authorization', 'Authorization', 'password', 'apiToken', 'token', 'pat'];
const OTHER_KEYS = ['headers', 'config', 'request', 'response', 'auth', 'key', 'ticketKey', 'note', 'outcome', 'list', 'err', 'cause'];

class WithJson {
  constructor(readonly password: string) {}
  toJSON() {
    return { shown: 'by toJSON', password: this.password };
  }
}

describe('censorKeys', () => {
  it('censors exactly what pino redaction with REDACT_PATHS censors, and changes no object it is given', () => {
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const keys = [...SECRET_KEYS, ...OTHER_KEYS];
    const value = (depth: number): unknown => {
      switch (next(depth > 2 ? 6 : 11)) {
        case 0: return `v${next(100)}`;
        case 1: return next(1000);
        case 2: return null;
        case 3: return undefined;
        case 4: return next(2) === 0;
        case 5: return 'Basic c3luYzp4eHg=';
        case 6: return Array.from({ length: next(3) }, () => value(depth + 1));
        case 7: return new Date(Date.UTC(2026, 11, 1 + next(20)));
        case 8: return new WithJson(`pw${next(9)}`);
        case 9: return Object.assign(new Error(`e${next(9)}`), fields(depth + 1));
        default: return fields(depth + 1);
      }
    };
    const fields = (depth: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let i = next(5); i > 0; i--) o[keys[next(keys.length)] as string] = value(depth);
      return o;
    };
    const a: string[] = [];
    const b: string[] = [];
    const [viaPino, viaCensor] = [logger('pino', a), logger('censorKeys', b)];
    let censored = 0;
    for (let i = 0; i < 3000; i++) {
      const f = fields(0);
      const bindings = fields(1);
      const before = JSON.stringify([f, bindings]);
      viaPino.child(bindings).info(f, `line ${i}`);
      viaCensor.child(bindings).info(f, `line ${i}`);
      expect(b.at(-1)).toBe(a.at(-1));
      expect(JSON.stringify([f, bindings])).toBe(before);
      if (a.at(-1)?.includes(REDACTED)) censored++;
    }
    // Both kinds of line were compared: with something censored and without.
    expect(censored).toBeGreaterThan(300);
    expect(censored).toBeLessThan(2700);
  });

  it("censors an axios-like error's Authorization header under err, and the paths of each field", () => {
    const lines: string[] = [];
    const log = logger('censorKeys', lines);
    const err = Object.assign(new Error('Request failed with status code 401'), {
      config: { headers: { Authorization: 'Basic c3luYzp4eHg=', Accept: 'application/json' } },
      response: { status: 401, config: { headers: { authorization: 'Bearer abc' } } },
    });
    log.child({ token: 't-1', key: 'k1' }).error({ err, request: { headers: { authorization: 'x' }, pat: 'p' }, password: 7, note: 'kept' }, 'failed');
    const line = JSON.parse(lines[0] as string) as { [k: string]: unknown; err: { config: { headers: unknown }; response: { config: { headers: { authorization: unknown } } } } };
    expect(line.token).toBe(REDACTED);
    expect(line.key).toBe('k1');
    expect(line.err.config.headers).toEqual({ Authorization: REDACTED, Accept: 'application/json' });
    expect(line.err.response.config.headers.authorization).toBe(REDACTED);
    expect(line.request).toEqual({ headers: { authorization: REDACTED }, pat: REDACTED });
    expect(line.password).toBe(REDACTED);
    expect(line.note).toBe('kept');
    // The caller's error still holds its header: it was copied, not changed.
    expect(err.config.headers.Authorization).toBe('Basic c3luYzp4eHg=');
  });

  it('returns the very object it was given when nothing in it is censored', () => {
    const f = { ticketKey: 'ABC-1', file: 'submission.json', nested: { headers: { accept: 'x' } } };
    expect(censorKeys(f)).toBe(f);
  });

  it('refuses a path in REDACT_PATHS of a shape it does not apply, naming it, so no key is left to nobody', () => {
    expect(() => pathShapes(['password', 'config.apiKey'])).toThrow('"config.apiKey"');
    expect(() => pathShapes(['*.*.token'])).toThrow('"*.*.token"');
    const shapes = pathShapes(REDACT_PATHS);
    expect([...shapes.top]).toContain('password');
    expect([...shapes.nested]).toContain('apiToken');
    expect([...shapes.headers]).toEqual(['authorization', 'Authorization']);
    expect(shapes.err).toContain('err.config.headers.Authorization');
  });

  it('censors a key added to the list in each shape, a headers key in a headers field too', () => {
    const { censorKeys: censor, errPaths } = keyRedaction(['secret', '*.apiKey', 'headers.x-api-key', 'err.config.data']);
    expect(censor({ secret: 1, note: { apiKey: 'k', other: 'o' }, headers: { 'x-api-key': 'h', accept: 'a' }, request: { headers: { 'x-api-key': 'h2' } } })).toEqual({
      secret: REDACTED,
      note: { apiKey: REDACTED, other: 'o' },
      headers: { 'x-api-key': REDACTED, accept: 'a' },
      request: { headers: { 'x-api-key': REDACTED } },
    });
    expect(errPaths).toEqual(['err.apiKey', 'err.headers.x-api-key', 'err.config.data']);
  });
});
