/**
 * Minimal multipart/form-data parser: enough for what axios/undici FormData
 * produce, without adding a dependency to the project.
 */
export interface MultipartPart {
  name: string;
  fileName?: string;
  contentType?: string;
  content: Buffer;
}

export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2]?.trim();
}

/** Returns the parts, or an error message when the body is not well-formed. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | string {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return 'multipart body does not contain the boundary';
  for (;;) {
    pos += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return 'multipart part without a header terminator';
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const contentStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), contentStart);
    if (next < 0) return 'multipart body is not terminated by the closing boundary';
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) return 'multipart part without a Content-Disposition name';
    parts.push({
      name,
      fileName: dispositionParam(disposition, 'filename'),
      contentType: headers.get('content-type'),
      content: Buffer.from(body.subarray(contentStart, next)),
    });
    pos = next + 2;
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const extended = new RegExp(`;\\s*${param}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(disposition);
  if (extended?.[1]) return decodeURIComponent(extended[1]);
  const quoted = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"`).exec(disposition);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1').replace(/%(22|0D|0A)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const bare = new RegExp(`;\\s*${param}=([^;\\s]+)`).exec(disposition);
  return bare?.[1];
}
