// Bounded concurrency that keeps submission order: workers take items in order, so tickets
// are created in submission order as far as concurrency allows (concurrency 1: strictly).
// A worker that throws stops the pool: no lane takes a new item, the items in flight finish,
// and then the first error is rethrown. `shouldStop` stops it the same way from outside (a
// signal), without an error.
export async function runInOrder<T, R>(
  items: T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
  shouldStop: () => boolean = () => false,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const failures: unknown[] = [];
  async function lane(): Promise<void> {
    while (next < items.length && failures.length === 0 && !shouldStop()) {
      const i = next++;
      try {
        results[i] = await worker(items[i] as T, i);
      } catch (err) {
        failures.push(err);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  if (failures.length > 0) throw failures[0];
  return results;
}
