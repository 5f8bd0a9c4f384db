// Secret scrubbing shared by the log files, the console, the summary line and
// (via re-export) config errors and status output.
//
// Two complementary layers exist because neither is enough on its own:
//  - pino `redact` paths (REDACT_PATHS) blank well-known keys *before*
//    serialisation, which catches credentials we never saw in clear text, e.g.
//    the base64 `Authorization: Basic …` header inside an axios error from jira.js.
//  - value-based redaction (makeRedactor / redactJsonLine) replaces the
//    configured secret values wherever they end up inside a string: a message,
//    err.message, err.stack, a nested object, a URL.

export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are never logged. `*` matches one level, so an object
 * logged as `{ config }` or `{ request: { headers } }` is covered too. The
 * `err.*` paths exist because jira.js (axios) errors carry the request config,
 * including the Authorization header, as enumerable properties that pino's err
 * serializer copies.
 */
export const REDACT_PATHS: string[] = [
  'authorization',
  'Authorization',
  'password',
  'apiToken',
  'token',
  'pat',
  'headers.authorization',
  'headers.Authorization',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.apiToken',
  '*.token',
  '*.pat',
  '*.headers.authorization',
  '*.headers.Authorization',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
  'err.config.auth',
  'err.request.headers.authorization',
  'err.response.config.headers.Authorization',
  'err.response.config.headers.authorization',
];

// `scheme://user:password@` anywhere in free text (error messages quoting a
// connection string). The password stops at whitespace, `@`, `/`, `?`, `#` so
// `http://host:8080/a@b` keeps its port; a malformed password containing one of
// those can leave a tail visible, which the configured-secret pass covers.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s@/?#]+(@)/gi;
// `Basic <base64>` / `Bearer <token>` in free text, also URL-encoded (`Basic%20…`). The
// 16-character floor keeps ordinary prose ("Basic information") intact; real credentials are longer.
const AUTH_SCHEME = /\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9+/._~%-]{16,}={0,2}/gi;
// An Authorization header quoted in text (`Authorization: Bearer x`, `"authorization":"xyz"`):
// after a scheme word the value is redacted whatever its length; without one, from 8 characters,
// so "Authorization: failed" stays as it is.
const AUTH_HEADER_SCHEME = /\b(authorization["']?\s*[:=]\s*["']?(?:Basic|Bearer|Token)(?:\s+|%20|\+))[^\s"',;}]+/gi;
const AUTH_HEADER = /\b(authorization["']?\s*[:=]\s*["']?)(?!(?:Basic|Bearer|Token)(?:\s|%20|\+))([^\s"',;}]{8,})/gi;
// Credentials as query parameters: libpq's ?password=…, and the token parameters some proxies echo.
const QUERY_SECRET = /([?&](?:password|token|api[_-]?token|access[_-]?token)=)[^&#\s"']*/gi;
/** Configured values at least this long are redacted wherever they appear; shorter ones only
 *  where they stand as a whole token, so a password like "on" leaves "configuration" alone. */
export const LONG_SECRET = 12;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Adds the forms a secret commonly takes in transit (percent-encoded in URLs). */
function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  out.add(encodeURIComponent(secret));
  try {
    out.add(decodeURIComponent(secret));
  } catch {
    // Not valid percent-encoding: the raw form is all there is.
  }
  return [...out];
}

/** The base64 form of HTTP basic credentials `user:secret`, as an Authorization header carries
 *  it; also without its `=` padding, as some servers echo it. */
export function basicCredentials(user: string, secret: string): string[] {
  const b64 = Buffer.from(`${user}:${secret}`, 'utf8').toString('base64');
  return [b64, b64.replace(/=+$/, '')];
}

/** Redacts credentials recognisable by where they stand, whatever their value: URL userinfo,
 *  Basic/Bearer credentials, Authorization header values, password/token query parameters. */
export function redactCredentials(s: string): string {
  return s
    .replace(URL_CREDENTIALS, `$1${REDACTED}$2`)
    .replace(AUTH_SCHEME, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(AUTH_HEADER_SCHEME, `$1${REDACTED}`)
    .replace(AUTH_HEADER, `$1${REDACTED}`)
    .replace(QUERY_SECRET, `$1${REDACTED}`);
}

/**
 * Returns a function that replaces the given secret values (and their percent-encoded forms)
 * with `[REDACTED]`, then redacts credentials by position (redactCredentials). A value of
 * LONG_SECRET characters or more is replaced wherever it appears; a shorter one only as a whole
 * token (not next to a letter or digit), since a short value also occurs inside ordinary words.
 * Empty/blank secrets are ignored: an unset env var must not blank every line.
 * Covering more forms? Raise REDACTION_RULES (adapters/tracker/redactStored.ts), so trackers
 * redact their stored texts again.
 */
export function makeRedactor(secrets: readonly string[]): Redactor {
  const all = [...new Set(secrets.filter((s) => typeof s === 'string' && s.trim() !== '').flatMap(variants))];
  // Longest first so a secret containing another one is replaced whole; a
  // single alternation means one pass, so `[REDACTED]` itself is never re-hit.
  all.sort((a, b) => b.length - a.length);
  const pattern = (v: string) => (v.length >= LONG_SECRET ? escapeRegExp(v) : `(?<![A-Za-z0-9])${escapeRegExp(v)}(?![A-Za-z0-9])`);
  const valueRe = all.length > 0 ? new RegExp(all.map(pattern).join('|'), 'g') : null;
  // The same patterns, for a yes/no search (not global: `test` then keeps no position).
  const valueTest = valueRe && new RegExp(valueRe.source);

  const redact = (s: string): string => redactCredentials(valueRe ? s.replace(valueRe, REDACTED) : s);
  return Object.assign(redact, { mayFind: (s: string): boolean => CREDENTIALS_TEST.test(s) || (valueTest?.test(s) ?? false) });
}

/** A redactor, and a search for anything it could replace: false means it would return `s` unchanged. */
export type Redactor = ((s: string) => string) & { mayFind(s: string): boolean };

// Every credential pattern in one case-insensitive search (redactJsonLine's quick look).
const CREDENTIALS_TEST = new RegExp([URL_CREDENTIALS, AUTH_SCHEME, AUTH_HEADER_SCHEME, AUTH_HEADER, QUERY_SECRET].map((r) => `(?:${r.source})`).join('|'), 'i');

/**
 * postgres://user:pass@host/db → postgres://user:[REDACTED]@host/db, for showing
 * DATABASE_URL in config errors and status output. Works on the raw string
 * (not `new URL`) so malformed URLs, e.g. with an unencoded `@` in the password,
 * are still scrubbed and `[REDACTED]` is not percent-encoded.
 */
export function redactUrlPassword(url: string): string {
  const schemeEnd = url.indexOf('://');
  let out = url;
  if (schemeEnd >= 0) {
    const start = schemeEnd + 3;
    const rest = url.slice(start);
    const queryAt = rest.search(/[?#]/);
    // The userinfo ends at the *last* `@` of the authority, so a password
    // containing a raw `@` is redacted whole rather than half-leaked.
    const at = (queryAt >= 0 ? rest.slice(0, queryAt) : rest).lastIndexOf('@');
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon >= 0 && colon < userinfo.length - 1) {
        out = url.slice(0, start) + userinfo.slice(0, colon + 1) + REDACTED + rest.slice(at);
      }
    }
  }
  return out.replace(QUERY_SECRET, `$1${REDACTED}`);
}

// A JSON string literal, escapes included.
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
// The prefix pino writes from our own formatters (level label, ISO time from
// the clock). It cannot hold a secret, and a weak numeric password ("2026")
// must not turn the timestamp into "[REDACTED]-11-23T…".
const PINO_PREFIX = /^\{"level":"[a-z]+","time":"[0-9T:.Z-]+"/;

/**
 * Applies `redact` to every string literal (keys and values) of one serialised
 * JSON line, except pino's own level/time prefix. Working on the literals
 * rather than the raw line means a secret that happens to look like structure
 * (a numeric password matching a pid, a quote in a password) can never corrupt
 * the JSON, and one that JSON escaping changed (`"` → `\"`) is still found.
 */
export function redactJsonLine(line: string, redact: ((s: string) => string) & { mayFind?: (s: string) => boolean }): string {
  const prefix = PINO_PREFIX.exec(line)?.[0] ?? '';
  // Most lines hold nothing to redact, and one search of the whole line says so for a fraction of
  // the cost of redacting each literal. It is sound for a line without escapes: there each literal's
  // text stands in the line as it is, next to quotes, which every pattern's edges treat as it treats
  // a string's ends, so a match inside a literal is a match in the line. A line with escapes (`\"`,
  // `\n`, `\u…`) holds some values in another form than `redact` sees them: it takes the long way.
  const rest = line.slice(prefix.length);
  if (redact.mayFind && !rest.includes('\\') && !redact.mayFind(rest)) return line;
  return (
    prefix +
    rest.replace(JSON_STRING, (literal) => {
      const value = literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
      const redacted = redact(value);
      return redacted === value ? literal : JSON.stringify(redacted);
    })
  );
}
