// The alert for rows an audit found lost behind the cursor. Said by the run whose daily audit
// found them; the rows are registered by then, so the next run (which processes them) no longer
// reports it and the incident clears.
import type { RunProblem } from './incidents.js';

export function problemFromAudit(a: { missing: { sourceId: string }[]; registered: number; repeats: number }, runId: string): RunProblem | null {
  if (a.missing.length === 0) return null;
  const ids = a.missing.slice(0, 20).map((m) => m.sourceId).join(', ') + (a.missing.length > 20 ? ', …' : '');
  return {
    fingerprint: 'audit:missed-rows',
    title: `${a.missing.length} source row(s) were never fetched`,
    detail:
      `The daily audit in run ${runId} found source rows behind the cursor that no run had fetched (source ids ${ids}): ` +
      'their transactions committed more than LOOKBACK_MINUTES after their timestamps. They are now registered and the next run ' +
      'processes them. If this recurs, raise LOOKBACK_MINUTES.',
    facts: { 'Rows found': String(a.missing.length), Registered: String(a.registered), Repeats: String(a.repeats) },
  };
}
