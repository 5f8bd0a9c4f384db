// Bounded concurrency that keeps submission order: workers take items in order, so tickets
// are created in submission order as far as concurrency allows (concurrency 1: strictly).
// The items come a window at a time (`more`), fetched when the lanes have taken the last
// one, while the items in flight go on: a batch of any size is never held whole.
// A worker may `release` its lane before it ends, when all it has left is a wait that holds up
// nothing else (a submission's last commit): the lane takes its next item meanwhile.
// A worker that throws stops the pool: no lane takes a new item, the items in flight finish,
// and then the first error is rethrown; an error fetching the next window stops it the same
// way. `shouldStop` stops it from outside (a signal), without an error.
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
  const failures: unknown[] = [];
  const stopping = () => failures.length > 0 || shouldStop();

  /** The next item in order, or `none` when there is no more (or the pool stops). */
  const none = Symbol('none');
  async function take(): Promise<T | typeof none> {
    for (;;) {
      if (stopping()) return none;
      if (next < window.length) return window[next++] as T;
      if (exhausted) return none;
      // One lane fetches the next window; the others wait for the same one.
      fetching ??= more()
        .then((items) => {
          if (items === null) exhausted = true;
          else [window, next] = [items, 0];
        })
        .finally(() => {
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
  if (failures.length > 0) throw failures[0];
}
