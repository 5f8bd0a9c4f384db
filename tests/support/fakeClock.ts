// Virtual time for the limiter and retry tests.
import type { Clock } from '../../src/adapters/jira/rateLimiter.js';

/**
 * Virtual time: sleep() registers a timer; once the event loop is idle (a setImmediate
 * later, i.e. after all pending promise callbacks ran) the earliest timer fires and the
 * clock jumps to it. Tests therefore run instantly and in a deterministic order.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private scheduled = false;
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}
