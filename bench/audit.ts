// The cost of `jira-sync audit` on the big table, whose tracker knows every row: every row
// behind the look-back window is streamed from PostgreSQL in keyset pages and looked up in the
// tracker. Wall time and peak RSS, median and maximum over a few runs; a run that does not
// exit 0 with "none missed" is broken (the table has no lost row).
import type { Measured } from './measure.js';
import { median } from './measure.js';
import { fmt, type Row } from './report.js';

export interface AuditFigures {
  wall: number;
  rss: number | null;
  runs: Measured[];
  checked: string;
}

export async function measureAudit(
  run: (args: string[]) => Promise<Measured>,
  times: number,
  broken: string[],
  log: (line: string) => void,
): Promise<AuditFigures> {
  const runs: Measured[] = [];
  let checked = '?';
  for (let i = 0; i < times; i++) {
    const m = await run(['audit']);
    const found = /(\d+) source rows? checked, none missed/.exec(m.stdout);
    if (m.code !== 0 || !found) broken.push(`audit #${i + 1}: exit ${m.code}: ${(m.stdout + m.stderr).trim().split('\n').slice(-2).join(' / ')}`);
    else checked = Number(found[1]).toLocaleString('en');
    runs.push(m);
  }
  const wall = median(runs.map((r) => r.wallMs));
  const rss = runs[0]?.peakRssMb === null ? null : Math.max(...runs.map((r) => r.peakRssMb ?? 0));
  log(`  audit: median ${fmt.s(wall)} of ${times} (${runs.map((r) => fmt.s(r.wallMs)).join(', ')}), peak RSS ${fmt.mb(rss)}, ${checked} rows checked`);
  return { wall, rss, runs, checked };
}

export function auditRows(a: AuditFigures, tableRows: number): Row[] {
  return [
    {
      what: `6. \`jira-sync audit\`, ${tableRows.toLocaleString('en')}-row table`,
      result: `${fmt.s(a.wall)} (median of ${a.runs.length}); ${a.checked} rows compared with the tracker, none missed`,
      target: '< 10 s',
      met: a.wall < 10_000,
    },
    { what: '   peak RSS, audit', result: fmt.mb(a.rss), target: '< 150 MB', met: a.rss !== null && a.rss < 150 },
  ];
}
