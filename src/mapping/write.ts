// field_mapping.json is written atomically (temp file + rename), so a crash or a full disk
// never leaves a half-written mapping that would stop every later run.
import fs from 'node:fs';
import path from 'node:path';
import type { MappingFile } from './format.js';

export function writeMappingFile(file: string, mapping: MappingFile): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(mapping, null, 2)}\n`, { encoding: 'utf8', flush: true });
  fs.renameSync(tmp, file);
}
