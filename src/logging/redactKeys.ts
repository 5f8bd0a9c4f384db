// Keys whose values are never logged (REDACT_PATHS), blanked before a line is serialised.
// pino's own `redact` option can do it, but a path that starts with `*` makes pino run its
// redaction (a selective clone, a walk of every path, a JSON.stringify) on every field of every
// line and on the message, whether or not a field holds such a key: in the profile of a
// 1,000-ticket run, 68 ms of the 219 ms spent logging; this file's code took 14 ms in the same
// place (BENCHMARKS.md, "Issue 14, fourth pass"). Here the same paths are a few property lookups
// per field, and a field is copied only when it holds one, so the caller's object is never changed. `err` is left to pino's redaction
// (ERR_REDACT_PATHS): its paths are about the object pino's error serializer makes, which only
// exists after this step.
import type { Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact.js';

// The shape of REDACT_PATHS, read from it so the list stays the one place that names the keys:
// keys censored wherever they stand at the top ('password'), keys censored one level down in any
// field ('*.password'), and, in both places, the keys of a `headers` object ('headers.authorization').
const TOP = new Set(REDACT_PATHS.filter((p) => !p.includes('.')));
const NESTED = new Set(REDACT_PATHS.filter((p) => /^\*\.[^.]+$/.test(p)).map((p) => p.slice(2)));
const HEADERS = new Set(REDACT_PATHS.filter((p) => /^(\*\.)?headers\.[^.]+$/.test(p)).map((p) => p.slice(p.indexOf('headers.') + 8)));

/** The paths pino still redacts itself: those of `err`, and the one-level ones every field has. */
export const ERR_REDACT_PATHS: string[] = [
  ...REDACT_PATHS.filter((p) => p.startsWith('*.')).map((p) => `err.${p.slice(2)}`),
  ...REDACT_PATHS.filter((p) => p.startsWith('err.')),
];

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

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

/** A field's value with the one-level paths applied ('*.password', '*.headers.authorization'). */
function censorField(v: unknown): unknown {
  if (!isObject(v) || Array.isArray(v)) return v;
  let out = censorOwn(v, NESTED);
  const headers = v.headers;
  if (isObject(headers) && !Array.isArray(headers)) {
    const h = censorOwn(headers, HEADERS);
    if (h !== headers) (out = out === v ? copyOf(v) : out).headers = h;
  }
  return out;
}

/**
 * A line's fields (or a logger's bindings) with REDACT_PATHS applied, but for `err`; the object
 * itself when nothing in it is to be censored. Used as pino's `formatters.log` and
 * `formatters.bindings`, and on each child logger's bindings (censorChildBindings).
 */
export function censorKeys(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const k in fields) {
    if (!own(fields, k) || k === 'err') continue;
    const v = fields[k];
    if (v === undefined) continue; // pino leaves such a field out, censored or not
    const censored = TOP.has(k) ? REDACTED : censorField(v);
    if (censored !== v) (out ??= { ...fields })[k] = censored;
  }
  return out ?? fields;
}

/** Makes `logger.child(bindings)` censor the bindings as censorKeys does, for its children's
 *  children too (each child is made from its parent's prototype, so it inherits this `child`):
 *  pino applies `formatters.bindings` to the root logger's `base` only. */
export function censorChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, censorKeys(bindings), options);
  } as Logger['child'];
  return logger;
}
