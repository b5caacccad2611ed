/**
 * Polls every department's change feed and forgets cached entries of the people who changed, so the
 * next query about them goes to the department. Cursors live in the cache store, so replicas sharing
 * Redis continue where any of them left off (and each replica's own deletions are shared too).
 */
import type { CallContext } from '../../adapters/contract.js';
import { DependencyUnavailableError } from '../../adapters/errors.js';
import type { CacheStore } from '../cache/store.js';
import { describeError, type Logger } from '../log.js';
import type { DepartmentGateway } from './gateway.js';
import type { Registry } from './registry.js';

/** Pages read per department per poll, so one busy feed cannot hold a poll forever. */
const MAX_PAGES_PER_POLL = 20;

export class ChangeFeeds {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly memoryCursors = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    private readonly cache: CacheStore,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      this.running = this.pollOnce().finally(() => {
        this.running = null;
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Reads every feed once; returns how many people's entries were invalidated. */
  async pollOnce(): Promise<number> {
    const counts = await Promise.all(this.registry.all().map((g) => this.pollDepartment(g)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async pollDepartment(gateway: DepartmentGateway): Promise<number> {
    const feed = gateway.adapter.changes;
    if (!feed) return 0;
    const cursorKey = this.registry.keys.cursor(gateway.code);
    let cursor = await this.cache.get(cursorKey).catch(() => this.memoryCursors.get(gateway.code) ?? null);
    let invalidated = 0;
    try {
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const signal = AbortSignal.timeout(this.timeoutMs);
        const batch = await feed.call(gateway.adapter, cursor, this.context(signal, gateway.code));
        if (batch.idNumbers.length) await gateway.invalidate([...new Set(batch.idNumbers)]);
        invalidated += batch.idNumbers.length;
        const moved = batch.nextCursor !== cursor;
        cursor = batch.nextCursor;
        this.memoryCursors.set(gateway.code, cursor);
        await this.cache.set(cursorKey, cursor).catch(() => undefined);
        if (!moved || batch.idNumbers.length === 0) break;
      }
    } catch (err) {
      this.log.warn('change feed poll failed', { department: gateway.code, ...describeError(err) });
    }
    return invalidated;
  }

  private context(signal: AbortSignal, department: string): CallContext {
    return {
      signal,
      requestId: 'change-feed',
      operator: 'hub:change-feed',
      purpose: 'cache-invalidation',
      residents: async (ids) => ids.map(() => new DependencyUnavailableError(department, 'no resident lookups while reading a change feed')),
    };
  }
}
