// Keys whose values are never logged (REDACT_PATHS), blanked before a line is serialised.
// pino's own `redact` option can do it, but a path that starts with `*` makes pino run its
// redaction (a selective clone, a walk of every path, a JSON.stringify) on every field of every
// line and on the message, whether or not a field holds such a key: in the profile of a
// 1,000-ticket run, 68 ms of the 219 ms spent logging; this file's code took 14 ms in the same
// place (BENCHMARKS.md, "Issue 14, fourth pass"). Here the same paths are a few property
// lookups per field, and a field is copied only when it holds one, so the caller's object is
// never changed. `err` is left to pino's redaction (ERR_REDACT_PATHS): its paths are about the
// object pino's error serializer makes, which only exists after this step.
import type { Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact.js';

/** REDACT_PATHS sorted by shape: keys censored wherever they stand at the top ('password'), keys
 *  censored one level down in any field ('*.password'), the keys of a `headers` object, at the
 *  top or one level down ('headers.authorization', '*.headers.authorization'), and the paths
 *  under `err`, left to pino. A path of any other shape would be censored by nobody, so it is
 *  refused here, at start, naming it: the list stays the one place that names the keys. */
export function pathShapes(paths: readonly string[]): { top: Set<string>; nested: Set<string>; headers: Set<string>; err: string[] } {
  const shapes = { top: new Set<string>(), nested: new Set<string>(), headers: new Set<string>(), err: [] as string[] };
  for (const p of paths) {
    if (/^[^.*]+$/.test(p)) shapes.top.add(p);
    else if (/^\*\.[^.*]+$/.test(p)) shapes.nested.add(p.slice(2));
    else if (/^(\*\.)?headers\.[^.*]+$/.test(p)) shapes.headers.add(p.slice(p.indexOf('headers.') + 8));
    else if (/^err\.[^*]+$/.test(p)) shapes.err.push(p);
    else throw new Error(`REDACT_PATHS: "${p}" has a shape censorKeys does not apply (logging/redactKeys.ts)`);
  }
  return shapes;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** An object whose keys the paths can name (an array's items are not censored by key). */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `keys` of `o` (own properties, whatever their value) as REDACTED, in a copy; `o` when it has none. */
function censorOwn<T extends Record<string, unknown>>(o: T, keys: Set<string>): T {
  let out: T | null = null;
  for (const k of keys) {
    if (own(o, k)) (out ??= copyOf(o))[k as keyof T] = REDACTED as T[keyof T];
  }
  return out ?? o;
}

/** A shallow copy that serialises as `o` did: its enumerable own properties, on the same
 *  prototype (a class's toJSON still applies), as pino's redaction copies. */
function copyOf<T extends Record<string, unknown>>(o: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(o) as object | null) as T, o);
}

export interface KeyRedaction {
  /** A line's fields (or a logger's bindings) with the paths applied, but for `err`; the object
   *  itself when nothing in it is to be censored. Used as pino's `formatters.log` and
   *  `formatters.bindings`, and on each child logger's bindings (censorChildBindings). */
  censorKeys(fields: Record<string, unknown>): Record<string, unknown>;
  /** Makes `logger.child(bindings)` censor the bindings as censorKeys does, for its children's
   *  children too (each child is made from its parent's prototype, so it inherits this `child`):
   *  pino applies `formatters.bindings` to the root logger's `base` only. */
  censorChildBindings(logger: Logger): Logger;
  /** The paths pino still redacts itself: those of `err`, and the one-level ones every field has. */
  errPaths: string[];
}

/** The redaction by key of `paths` (REDACT_PATHS for the program; a test gives others). */
export function keyRedaction(paths: readonly string[]): KeyRedaction {
  const { top, nested, headers, err } = pathShapes(paths);
  // A `headers` field is censored like any field ('*.authorization') and as a headers object
  // ('headers.authorization'); the union is made once.
  const inHeadersField = new Set([...nested, ...headers]);

  /** A field's value with the one-level paths applied ('*.password', '*.headers.authorization'). */
  const censorField = (key: string, v: unknown): unknown => {
    if (!isRecord(v)) return v;
    let out = censorOwn(v, key === 'headers' ? inHeadersField : nested);
    const h = v.headers;
    if (isRecord(h)) {
      const censored = censorOwn(h, headers);
      if (censored !== h) (out = out === v ? copyOf(v) : out).headers = censored;
    }
    return out;
  };

  const censorKeys = (fields: Record<string, unknown>): Record<string, unknown> => {
    let out: Record<string, unknown> | null = null;
    for (const k in fields) {
      if (!own(fields, k) || k === 'err') continue;
      const v = fields[k];
      if (v === undefined) continue; // pino leaves such a field out, censored or not
      const censored = top.has(k) ? REDACTED : censorField(k, v);
      if (censored !== v) (out ??= { ...fields })[k] = censored;
    }
    return out ?? fields;
  };

  return {
    censorKeys,
    censorChildBindings(logger) {
      const child = logger.child;
      logger.child = function (this: Logger, bindings, options) {
        return child.call(this, censorKeys(bindings), options);
      } as Logger['child'];
      return logger;
    },
    errPaths: [...[...nested].map((k) => `err.${k}`), ...[...headers].map((k) => `err.headers.${k}`), ...err],
  };
}

/** REDACT_PATHS, as the logging layer applies it (logging/index.ts). */
export const { censorKeys, censorChildBindings, errPaths: ERR_REDACT_PATHS } = keyRedaction(REDACT_PATHS);
