/**
 * The cache's storage: Redis when REDIS_URL is set, else an in-process store with the same
 * behaviour (TTL in milliseconds, bounded size). Values are opaque strings; callers serialise.
 * A failing store is the caller's cue to go on uncached, never to fail the request.
 */
export interface CacheEntryWrite {
  key: string;
  value: string;
  ttlMs: number;
}

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  mget(keys: readonly string[]): Promise<Array<string | null>>;
  mset(entries: readonly CacheEntryWrite[]): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
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
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly maxEntries = 200_000, private readonly now: () => number = Date.now) {}

  async mget(keys: readonly string[]): Promise<Array<string | null>> {
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

  async get(key: string): Promise<string | null> {
    return (await this.mget([key]))[0]!;
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
