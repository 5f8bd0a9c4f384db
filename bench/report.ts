// The benchmark's one table, in Markdown so BENCHMARKS.md can keep it as printed.

export interface Row {
  what: string;
  result: string;
  target: string;
  /** true/false when there is a target, null when the row is information only. */
  met: boolean | null;
}

export const fmt = {
  s: (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`,
  mb: (mb: number | null) => (mb === null ? 'n/a' : `${mb.toFixed(0)} MB`),
  pct: (x: number) => `${(100 * x).toFixed(1)}%`,
  n: (x: number, digits = 2) => x.toFixed(digits),
};

export function table(header: string[], rows: Row[], smoke: boolean): string {
  const met = (r: Row) => (r.met === null ? '' : smoke ? '(smoke)' : r.met ? 'yes' : '**no**');
  const lines = [
    ...header,
    '',
    '| measure | result | target | met |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.result} | ${r.target} | ${met(r)} |`),
  ];
  if (smoke) lines.push('', 'Smoke sizes: the targets are for the full benchmark (`npm run bench`) and are not judged here.');
  return lines.join('\n');
}
