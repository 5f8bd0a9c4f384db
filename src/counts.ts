// How a run's submissions ended, in the four numbers every report uses: the summary line, the
// run record `status` shows, the progress line and the alerts. One type, so they cannot drift.
export interface Counts {
  created: number;
  skipped: number;
  failed: number;
  parked: number;
}

export const NO_COUNTS: Readonly<Counts> = Object.freeze({ created: 0, skipped: 0, failed: 0, parked: 0 });
