// No module imports from a layer above its own (docs/architecture.md, "Layers"). Reads every
// import in src/ and prints each one that goes upward; exits 1 if there is any.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Lowest first. A file belongs to the first entry whose prefix its path (under src/) starts with.
export const LAYERS: [string, string[]][] = [
  ['base', ['errors.ts', 'counts.ts', 'outcome.ts', 'config.ts', 'configTarget.ts', 'placeholders.ts', 'failpoints.ts', 'privateFiles.ts', 'wrap.ts', 'logging/', 'progress.ts', 'heapLimits.ts', 'jitBudget.ts']],
  ['adapters', ['adapters/']],
  ['mapping', ['mapping/']],
  ['steps', ['steps/']],
  ['submission', ['decide.ts', 'processSubmission.ts', 'pool.ts', 'preflight.ts', 'runtime.ts', 'alerts/', 'doctor/']],
  ['run', ['run/']],
  ['main', ['main.ts']],
  ['commands', ['commands/']],
  ['cli', ['cli.ts']],
];

function layerOf(rel: string): number {
  const i = LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => rel === p || rel.startsWith(p)));
  if (i < 0) throw new Error(`src/${rel} belongs to no layer: add it to LAYERS in scripts/checkLayers.ts`);
  return i;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split(path.sep).join('/'));
const problems: string[] = [];
for (const rel of files) {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm)) {
    const spec = (m[1] ?? m[2]) as string;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.js$/, '.ts');
    const from = layerOf(rel);
    const to = layerOf(target);
    if (to > from) problems.push(`src/${rel} (${LAYERS[from]?.[0]}) imports src/${target} (${LAYERS[to]?.[0]}), a layer above it`);
  }
}
for (const p of problems) console.log(p);
console.log(problems.length === 0 ? `layers: ${files.length} files, no upward import` : `layers: ${problems.length} upward import${problems.length === 1 ? '' : 's'}`);
process.exit(problems.length === 0 ? 0 : 1);
