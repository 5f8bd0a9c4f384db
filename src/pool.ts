// Bounded concurrency that keeps submission order: workers take items in order, so tickets
// are created in submission order as far as concurrency allows (concurrency 1: strictly).
// The items come a window at a time (`more`), the next one asked for while the lanes still
// have items of this one to take (AHEAD per lane), so no lane waits for it; at most two windows
// are held at once, and a batch of any size is never held whole.
// A worker may `release` its lane before it ends, when all it has left is a wait that holds up
// nothing else (a submission's last commit): the lane takes its next item meanwhile.
// A worker that throws stops the pool: no lane takes a new item, the items in flight finish,
// and then the first error is rethrown; an error fetching the next window stops it the same
// way. `shouldStop` stops it from outside (a signal), without an error.
/** Items per lane still untaken when the next window is asked for: at one item per Jira round
 *  trip per lane, several round trips of warning, more than a window takes to gather. */
export const AHEAD = 4;

export async function runInOrder<T>(
  first: T[],
  /** The next window of items, in order; null when there are no more. */
  more: () => Promise<T[] | null>,
  concurrency: number,
  worker: (item: T, release: () => void) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let window = first;
  let next = 0;
  let exhausted = false;
  let fetching: Promise<void> | null = null;
  /** The next window, asked for before the lanes need it (one at a time: `more` is sequential). */
  let ahead: Promise<T[] | null> | null = null;
  const failures: unknown[] = [];
  const stopping = () => failures.length > 0 || shouldStop();
  const askAhead = (): Promise<T[] | null> => {
    if (ahead === null) {
      ahead = more();
      // Seen by the lane that takes the window, or by the end of the pool; never unhandled.
      ahead.catch(() => undefined);
    }
    return ahead;
  };

  /** The next item in order, or `none` when there is no more (or the pool stops). */
  const none = Symbol('none');
  async function take(): Promise<T | typeof none> {
    for (;;) {
      if (stopping()) return none;
      if (next < window.length) {
        const item = window[next++] as T;
        if (!exhausted && window.length - next <= AHEAD * concurrency) void askAhead();
        return item;
      }
      if (exhausted) return none;
      // One lane takes the next window in; the others wait for the same one.
      fetching ??= askAhead()
        .then((items) => {
          if (items === null) exhausted = true;
          else [window, next] = [items, 0];
        })
        .finally(() => {
          ahead = null;
          fetching = null;
        });
      await fetching;
    }
  }

  async function lane(): Promise<void> {
    for (;;) {
      let item: T | typeof none;
      try {
        item = await take();
      } catch (err) {
        failures.push(err);
        return;
      }
      if (item === none) return;
      let release = () => undefined as void;
      const released = new Promise<void>((r) => (release = r));
      const work = worker(item, release).catch((err: unknown) => void failures.push(err));
      finishing.add(work);
      void work.finally(() => finishing.delete(work));
      await Promise.race([work, released]);
    }
  }
  /** Items whose lane was released before they ended. */
  const finishing = new Set<Promise<void>>();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  while (finishing.size > 0) await Promise.all([...finishing]);
  // A window asked for that no lane took (the pool stopped): its gathering ends before the pool
  // does, so nothing is left writing to the tracker; if it failed, that is said.
  const unused = ahead as Promise<T[] | null> | null;
  if (unused !== null) await unused.catch((err: unknown) => void failures.push(err));
  if (failures.length > 0) throw failures[0];
}
