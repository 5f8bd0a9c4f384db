// `tsx bench/profile.ts FILE.cpuprofile|FILE.heapprofile …`: where a profiled run of the CLI
// spends its CPU or keeps its memory, by function and by owner (our modules, pino,
// better-sqlite3, jira.js/axios, pg, Node itself, GC), so a profile made with
// `npm run bench -- --cost --profile=DIR` (or `node --cpu-prof dist/cli.js run`) can be read
// without a browser. For CPU: self time by owner and by function, inclusive time by function,
// and the library time charged to the nearest of our functions that called it.
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface CpuNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }
interface HeapNode { callFrame: CallFrame; selfSize: number; children: HeapNode[] }

/** Who a frame belongs to: one of our modules, a library, Node, or V8 itself. */
export function owner(f: CallFrame): string {
  const u = f.url;
  const lib = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (lib) {
    const name = lib[1] as string;
    if (/^(axios|jira\.js|form-data|follow-redirects|proxy-from-env|mime-types|combined-stream|asynckit|delayed-stream)$/.test(name)) return `jira.js/axios (${name})`;
    if (/^(pg|pg-.*|pgpass|postgres-.*|split2)$/.test(name)) return `pg (${name})`;
    if (/^(pino|pino-.*|sonic-boom|thread-stream|on-exit-leak-free|fast-redact|quick-format-unescaped|atomic-sleep|safe-stable-stringify|real-require|process-warning)$/.test(name)) return `pino (${name})`;
    if (/better-sqlite3|bindings|file-uri-to-path/.test(name)) return `better-sqlite3 (${name})`;
    return `lib (${name})`;
  }
  const ours = /\/dist\/(.+)$/.exec(u);
  if (ours) return `ours (${ours[1]})`;
  if (u.startsWith('node:') || u === 'node:internal' || /^internal\//.test(u)) return 'node';
  if (u === '') {
    if (f.functionName === '(garbage collector)') return 'GC';
    if (f.functionName === '(idle)') return 'idle';
    if (f.functionName === '(program)') return 'V8/native (program)';
    if (/^(parse|stringify)$/.test(f.functionName)) return 'JSON';
    return 'native';
  }
  return `other (${path.basename(u)})`;
}

/** What a CPU sample is doing, by the frame nearest the leaf that says it (so a write in
 *  node:net called by axios counts as HTTP, and a writeSync called by our logger as logging). */
const BUCKETS: [string, RegExp][] = [
  ['tracker (better-sqlite3 and our tracker code)', /better-sqlite3|\/dist\/adapters\/tracker\//],
  ['logging (pino and our logging code)', /\/(pino|sonic-boom|@pinojs\/[^/]+|thread-stream)\/|\/dist\/logging\//],
  ['HTTP to Jira (jira.js, axios, node http/net)', /\/(axios|jira\.js|form-data|proxy-from-env|follow-redirects|combined-stream)\/|^node:(_http|https|net|tls|internal\/stream_base)|\/dist\/adapters\/jira\//],
  ['PostgreSQL (pg)', /\/(pg|pg-[a-z]+)\/|\/dist\/adapters\/postgres\//],
  ['module loading (start-up)', /^node:internal\/(modules|bootstrap|deps\/cjs-module-lexer)/],
];
export function bucket(stack: CallFrame[]): string {
  const leaf = stack[0];
  if (leaf && leaf.url === '' && /^\((garbage collector|program)\)$/.test(leaf.functionName)) return leaf.functionName === '(program)' ? 'V8 (program)' : 'GC';
  for (const f of stack) for (const [name, re] of BUCKETS) if (re.test(f.url)) return name;
  return stack.some((f) => /\/dist\//.test(f.url)) ? 'ours, other' : 'other (node, native)';
}

const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : ''}`.trim();

function top(map: Map<string, number>, n: number, total: number, unit: (x: number) => string): string[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${unit(v).padStart(9)} ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

function cpu(file: string, n: number): string[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const selfFn = new Map<string, number>();
  const selfOwner = new Map<string, number>();
  const incl = new Map<string, number>();
  const charged = new Map<string, number>();
  const buckets = new Map<string, number>();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf) return;
    if (leaf.callFrame.functionName === '(idle)') return void (idle += dt);
    total += dt;
    add(selfFn, `${label(leaf.callFrame)} [${owner(leaf.callFrame)}]`, dt);
    add(selfOwner, owner(leaf.callFrame), dt);
    const seen = new Set<string>();
    const stack: CallFrame[] = [];
    let ourFrame: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as CpuNode).callFrame;
      stack.push(f);
      const k = `${label(f)} [${owner(f)}]`;
      if (!seen.has(k)) {
        seen.add(k);
        add(incl, k, dt);
      }
      if (ourFrame === null && owner(f).startsWith('ours')) ourFrame = label(f);
    }
    add(charged, `${owner(leaf.callFrame).replace(/ \(.*/, '')} <- ${ourFrame ?? '(no frame of ours)'}`, dt);
    add(buckets, bucket(stack), dt);
  });
  return [
    `${file}: ${ms(total)} on CPU (${ms(idle)} idle) over ${ms(p.endTime - p.startTime)}`,
    'By activity (the frame nearest the leaf that names it):', ...top(buckets, 10, total, ms),
    'Self time by owner:', ...top(selfOwner, 30, total, ms),
    `Top ${n} functions by self time:`, ...top(selfFn, n, total, ms),
    `Top ${n} functions by inclusive time:`, ...top(incl, n, total, ms),
    `Top ${n} (owner of the running code <- nearest function of ours on the stack):`, ...top(charged, n, total, ms),
  ];
}

function heap(file: string, n: number): string[] {
  const root = (JSON.parse(fs.readFileSync(file, 'utf8')) as { head: HeapNode }).head;
  const selfFn = new Map<string, number>();
  const selfOwner = new Map<string, number>();
  const charged = new Map<string, number>();
  let total = 0;
  const walk = (x: HeapNode, ourFrame: string | null) => {
    const o = owner(x.callFrame);
    const here = o.startsWith('ours') ? label(x.callFrame) : ourFrame;
    if (x.selfSize > 0) {
      total += x.selfSize;
      add(selfFn, `${label(x.callFrame)} [${o}]`, x.selfSize);
      add(selfOwner, o, x.selfSize);
      add(charged, `${o.replace(/ \(.*/, '')} <- ${here ?? '(no frame of ours)'}`, x.selfSize);
    }
    for (const c of x.children) walk(c, here);
  };
  walk(root, null);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  return [
    `${file}: ${mb(total)} sampled live at exit`,
    'By owner:', ...top(selfOwner, 20, total, mb),
    `Top ${n} allocating functions:`, ...top(selfFn, n, total, mb),
    `Top ${n} (owner <- nearest function of ours):`, ...top(charged, n, total, mb),
  ];
}

const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const n = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
for (const f of files) process.stdout.write(`${(f.endsWith('.heapprofile') ? heap(f, n) : cpu(f, n)).join('\n')}\n\n`);
