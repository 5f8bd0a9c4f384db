// The worker pool (src/pool.ts): items in order across windows fetched as the lanes need them,
// at most `concurrency` items working at once, a lane released early, and a stop that lets the
// items in flight finish.
import { describe, expect, it } from 'vitest';
import { AHEAD, runInOrder } from '../../src/pool.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

/** Windows of the given items, one after the other, then null; counts the fetches. */
function windows(...ws: number[][]) {
  const queue = [...ws];
  const fetched = { count: 0 };
  return { more: async () => (fetched.count++, await tick(), queue.shift() ?? null), fetched };
}

describe('runInOrder', () => {
  it('starts the items in order across windows, never more than `concurrency` at once', async () => {
    const w = windows([3, 4], [], [5, 6, 7]);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    await runInOrder([1, 2], w.more, 2, async (n) => {
      started.push(n);
      most = Math.max(most, ++running);
      await tick();
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(2);
    // Three windows and the null that ends them; an empty window is passed over.
    expect(w.fetched.count).toBe(4);
  });

  it('fetches the next window once, while the items in flight go on', async () => {
    let fetching = 0;
    let finishedDuringFetch = 0;
    let inFlight = 0;
    const queue = [[3, 4, 5]];
    await runInOrder(
      [1, 2],
      async () => {
        fetching++;
        await new Promise((r) => setTimeout(r, 20));
        return queue.shift() ?? null;
      },
      3,
      async (n) => {
        inFlight++;
        await new Promise((r) => setTimeout(r, n === 1 ? 10 : 40));
        if (fetching > 0) finishedDuringFetch++;
        inFlight--;
      },
    );
    expect(fetching).toBe(2);
    expect(finishedDuringFetch).toBeGreaterThan(0);
    expect(inFlight).toBe(0);
  });

  it('asks for the next window while the lanes still have items to take, so none waits for it', async () => {
    const events: string[] = [];
    const queue = [[21, 22]];
    const first = Array.from({ length: 2 * AHEAD + 4 }, (_, i) => i + 1);
    await runInOrder(
      first,
      async () => {
        events.push('fetch');
        await tick();
        return queue.shift() ?? null;
      },
      2,
      async (n) => {
        events.push(`start ${n}`);
        await tick();
      },
    );
    // Asked for as the item leaving 2 × AHEAD untaken was taken, not when the last one was.
    const asked = events.indexOf('fetch');
    expect(events.slice(0, asked)).toEqual(first.slice(0, 3).map((n) => `start ${n}`));
    expect(events.filter((e) => e.startsWith('start')).map((e) => Number(e.slice(6)))).toEqual([...first, 21, 22]);
    // That window and the null after it: each asked for once.
    expect(events.filter((e) => e === 'fetch')).toHaveLength(2);
  });

  it('waits for a window asked for ahead before it returns, and says if gathering it failed', async () => {
    let gathered = false;
    const run = runInOrder([1, 2, 3], async () => {
      await new Promise((r) => setTimeout(r, 30));
      gathered = true;
      throw new Error('source down');
    }, 1, async () => undefined, () => true);
    await expect(run).resolves.toBeUndefined();
    expect(gathered).toBe(false);

    let stops = 0;
    const stopped = runInOrder([1, 2, 3], async () => {
      await new Promise((r) => setTimeout(r, 30));
      gathered = true;
      throw new Error('source down');
    }, 1, async () => undefined, () => ++stops > 1);
    await expect(stopped).rejects.toThrow('source down');
    expect(gathered).toBe(true);
  });

  it('lets a released lane take its next item, and waits for the released item before returning', async () => {
    const events: string[] = [];
    await runInOrder([1, 2], async () => null, 1, async (n, release) => {
      events.push(`start ${n}`);
      release();
      await new Promise((r) => setTimeout(r, 10));
      events.push(`end ${n}`);
    });
    expect(events).toEqual(['start 1', 'start 2', 'end 1', 'end 2']);
  });

  it('stops on the first error: no new item, the ones in flight finish, the error is rethrown', async () => {
    const done: number[] = [];
    const run = runInOrder([1, 2, 3, 4, 5], async () => null, 2, async (n) => {
      if (n === 2) throw new Error('boom');
      await tick();
      done.push(n);
    });
    await expect(run).rejects.toThrow('boom');
    expect(done).toEqual([1]);
  });

  it('stops when fetching a window fails, after the items in flight', async () => {
    const done: number[] = [];
    const run = runInOrder([1], async () => { throw new Error('source down'); }, 2, async (n) => {
      await tick();
      done.push(n);
    });
    await expect(run).rejects.toThrow('source down');
    expect(done).toEqual([1]);
  });

  it('takes no new item once asked to stop', async () => {
    const started: number[] = [];
    await runInOrder([1, 2, 3], async () => [4], 1, async (n) => void started.push(n), () => started.length >= 2);
    expect(started).toEqual([1, 2]);
  });
});
