// The upload body of JSM's attachTemporaryFile, read back as the fake Jira reads a multipart
// request: one part named "file", the content byte for byte, and a boundary of its own per upload.
import { describe, expect, it } from 'vitest';
import { multipartFile } from '../../src/adapters/jira/directHttp.js';
import { multipartBoundary, parseMultipart } from '../support/fakeJira/multipart.js';

describe('multipartFile', () => {
  it('sends the file as one part, byte for byte, with a boundary of its own each time', () => {
    const content = Buffer.from('{"id":7,"note":"--jira-sync- and \\r\\n--"}\r\n--', 'utf8');
    const bodies = [multipartFile('sub "7".json', 'application/json', content), multipartFile('sub 8.json', 'application/json', content)];
    const boundaries = bodies.map((b) => multipartBoundary(b.contentType));
    expect(boundaries[0]).toMatch(/^----jira-sync-[0-9a-f]{24}-[0-9a-z]+$/);
    expect(new Set(boundaries).size).toBe(2);
    for (const [i, b] of bodies.entries()) {
      const parts = parseMultipart(b.body, boundaries[i] as string);
      if (typeof parts === 'string') throw new Error(parts);
      expect(parts).toHaveLength(1);
      expect(parts[0]).toMatchObject({ name: 'file', contentType: 'application/json' });
      expect(Buffer.compare(parts[0]?.content as Buffer, content)).toBe(0);
    }
    // A quote in the name is sent encoded, so it cannot end the header's quoted string.
    expect((parseMultipart(bodies[0]!.body, boundaries[0] as string) as { fileName?: string }[])[0]?.fileName).toBe('sub "7".json');
  });
});
