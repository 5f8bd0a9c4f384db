import type { Fault } from './types.js';

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Faults fire in injection order; each one is consumed by the first requests it matches. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  inject(fault: Fault): void {
    const times = fault.times ?? (fault.kind === 'barrier' ? fault.parties : 1);
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer, got ${times}`);
    this.queue.push({ fault, remaining: times });
  }

  take(method: string, pathname: string): Fault | undefined {
    const entry = this.queue.find(({ fault: { match } }) => {
      if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
      return typeof match.path === 'string' ? match.path === pathname : match.path.test(pathname);
    });
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(this.queue.indexOf(entry), 1);
    return entry.fault;
  }

  clear(): void {
    this.queue = [];
  }
}

/** Where barrier faults hold their requests: one gate per injected fault. */
export class Barriers {
  private gates = new WeakMap<Fault, { arrived: number; open: () => void; opened: Promise<void> }>();

  /** Settles once `fault.parties` requests have arrived at this fault's gate. */
  arrive(fault: Extract<Fault, { kind: 'barrier' }>): Promise<void> {
    let gate = this.gates.get(fault);
    if (!gate) {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gate = { arrived: 0, open, opened };
      this.gates.set(fault, gate);
    }
    gate.arrived += 1;
    if (gate.arrived >= fault.parties) gate.open();
    return gate.opened;
  }
}

/**
 * Token bucket over all API requests. It runs on the real clock, not the
 * injectable one: it models throughput, and a frozen test clock would
 * otherwise never refill it.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly perSecond: number) {
    if (!(perSecond > 0)) throw new Error(`rateLimitPerSecond must be > 0, got ${perSecond}`);
    // Burst capacity of one second's worth, as Jira's burst limits are per second.
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return Math.max(1, this.perSecond);
  }

  /** Takes a token; when none is left returns the whole seconds to wait (>= 1), as Retry-After needs. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond)) };
  }
}

export function rateLimitHeaders(retryAfterSeconds: number, perSecond: number): Record<string, string> {
  return {
    'Retry-After': String(retryAfterSeconds),
    // Jira documents "request time + Retry-After" in ISO 8601; full precision keeps it from lying by up to a minute.
    'X-RateLimit-Reset': new Date(Date.now() + retryAfterSeconds * 1000).toISOString(),
    'X-RateLimit-Limit': String(perSecond),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-NearLimit': 'true',
    'RateLimit-Reason': 'jira-burst-based',
  };
}
