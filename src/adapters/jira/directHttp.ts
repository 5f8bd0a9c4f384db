// The calls every ticket makes (create the request, upload the file, attach it) and the run's
// preflight, sent with node:http directly instead of through jira.js: for these few fixed
// requests jira.js and axios cost more CPU than the rest of a ticket's work together (config
// merging, header objects, a spec FormData with a crypto boundary per upload), and loading
// them costs a run tens of MB. The requests are the ones jira.js sends (same method, path,
// headers and body); the other calls (search, attachments list, customers, doctor) still go
// through jira.js. A failure is thrown in the shape axios gives (`isAxiosError`, `response`
// with status, headers and parsed body, or `code` and `cause` for a transport failure), so
// classifyJiraError (errors.ts) reads both the same way.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';

/** What sends one request: the gateway's transport (it fires the after-create-sent fail point). */
export type Transport = { request(options: http.RequestOptions, callback: (res: http.IncomingMessage) => void): http.ClientRequest };

export interface DirectHttpOptions {
  baseUrl: string;
  /** The Authorization header jira.js would send: Basic for an API token, Bearer for a PAT. */
  authorization: string;
  timeoutMs: number;
  transport: Transport;
}

// A boundary must not occur in the file. 96 random bits drawn once per process and a counter
// make each one unguessable, so no submission can be written to contain it, without asking
// the system for random bytes on every upload.
const BOUNDARY_PREFIX = `----jira-sync-${randomBytes(12).toString('hex')}-`;
let boundaries = 0;

/** A file as one multipart/form-data part named "file", as JSM's attachTemporaryFile expects. */
export function multipartFile(fileName: string, contentType: string, content: Buffer): { body: Buffer; contentType: string } {
  const boundary = `${BOUNDARY_PREFIX}${(boundaries++).toString(36)}`;
  const safeName = fileName.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

function axiosLike(message: string, method: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { isAxiosError: true, config: { method: method.toLowerCase() }, ...extra });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class DirectHttp {
  private readonly base: URL;

  constructor(private readonly opts: DirectHttpOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  }

  getJson<T>(path: string): Promise<T> {
    return this.send<T>('GET', path, null, {});
  }

  postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.send<T>('POST', path, Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json', ...headers });
  }

  postMultipart<T>(path: string, form: { body: Buffer; contentType: string }, headers: Record<string, string> = {}): Promise<T> {
    return this.send<T>('POST', path, form.body, { 'Content-Type': form.contentType, ...headers });
  }

  private send<T>(method: string, path: string, body: Buffer | null, headers: Record<string, string>): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    return new Promise<T>((resolve, reject) => {
      const req = this.opts.transport.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          headers: {
            Accept: 'application/json, text/plain, */*',
            Authorization: this.opts.authorization,
            ...headers,
            ...(body ? { 'Content-Length': String(body.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(axiosLike(err.message, method, { code: (err as NodeJS.ErrnoException).code, cause: err })));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const data = parsed(Buffer.concat(chunks).toString('utf8'));
            if (status >= 200 && status < 300) return resolve(data as T);
            reject(
              axiosLike(`Request failed with status code ${status}`, method, {
                code: status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
                response: { status, statusText: res.statusMessage ?? '', headers: res.headers, data },
              }),
            );
          });
        },
      );
      req.setTimeout(this.opts.timeoutMs, () => req.destroy(Object.assign(new Error(`timeout of ${this.opts.timeoutMs}ms exceeded`), { code: 'ECONNABORTED' })));
      req.on('error', (err: NodeJS.ErrnoException) => reject(axiosLike(err.message, method, { code: err.code, cause: err })));
      req.end(body ?? undefined);
    });
  }
}
