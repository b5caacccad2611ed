/**
 * The cache's storage: Redis when REDIS_URL is set, else an in-process store with the same
 * behaviour (TTL in milliseconds, bounded size). Values are JSON-compatible; Redis stores them
 * serialised, the in-process store as they are (no parse on a hit), so callers must treat what
 * they read as immutable. A failing store is the caller's cue to go on uncached, never to fail the request.
 */
export interface CacheEntryWrite {
  key: string;
  value: unknown;
  ttlMs: number;
}

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** Values in key order; null where there is none (or it cannot be read). */
  mget(keys: readonly string[]): Promise<unknown[]>;
  mset(entries: readonly CacheEntryWrite[]): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  /** Adds 1 to a counter that lives `ttlMs` from its first increment; returns the new count and ms left. */
  incr(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Plain values without TTL (change-feed cursors). */
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Map-based store: entries expire lazily on read and by insertion order when full (the Map keeps
 * insertion order, and a re-set moves the key to the end, so the oldest write goes first).
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(private readonly maxEntries = 200_000, private readonly now: () => number = Date.now) {}

  async mget(keys: readonly string[]): Promise<unknown[]> {
    const t = this.now();
    return keys.map((k) => {
      const e = this.entries.get(k);
      if (!e) return null;
      if (e.expiresAt <= t) {
        this.entries.delete(k);
        return null;
      }
      return e.value;
    });
  }

  async mset(entries: readonly CacheEntryWrite[]): Promise<void> {
    const t = this.now();
    for (const { key, value, ttlMs } of entries) {
      this.entries.delete(key);
      this.entries.set(key, { value, expiresAt: t + ttlMs });
    }
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async del(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }

  async incr(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }> {
    const t = this.now();
    const e = this.entries.get(key);
    if (!e || e.expiresAt <= t) {
      this.entries.set(key, { value: 1, expiresAt: t + ttlMs });
      return { count: 1, ttlMs };
    }
    e.value = Number(e.value) + 1;
    return { count: e.value as number, ttlMs: e.expiresAt - t };
  }

  async get(key: string): Promise<string | null> {
    const v = (await this.mget([key]))[0];
    return typeof v === 'string' ? v : null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.mset([{ key, value, ttlMs: Number.MAX_SAFE_INTEGER / 2 }]);
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
