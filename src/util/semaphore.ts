/** A bulkhead that is full: too many calls waiting, or a slot did not come free in time. */
export class BulkheadFullError extends Error {
  override name = 'BulkheadFullError';
  constructor(readonly reason: 'queue' | 'wait', message: string) {
    super(message);
  }
}

export interface SemaphoreOptions {
  /** Tasks that may wait for a slot; one more is refused at once (default: unbounded). */
  maxWaiting?: number;
  /** How long a task may wait for a slot, ms; then it is refused (default: forever). */
  maxWaitMs?: number;
}

/**
 * Bounds how many tasks run at once; the rest wait in arrival order — a bounded number of them,
 * for a bounded time, so a slow department holds its own slots and no more.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(readonly limit: number, private readonly options: SemaphoreOptions = {}) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running and waiting now. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await this.wait();
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.grant();
    }
  }

  private wait(): Promise<void> {
    const { maxWaiting = Infinity, maxWaitMs } = this.options;
    if (this.waiting.length >= maxWaiting) {
      return Promise.reject(new BulkheadFullError('queue', `${this.limit} calls running and ${this.waiting.length} waiting`));
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiting.push(entry);
      if (maxWaitMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new BulkheadFullError('wait', `no call slot came free within ${maxWaitMs} ms (${this.limit} running)`));
        }, maxWaitMs);
      }
    });
  }
}
