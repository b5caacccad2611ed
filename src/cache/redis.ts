/**
 * Redis-backed store (ioredis). Commands fail fast while Redis is unreachable (no offline queue,
 * one attempt per request): the hub then answers uncached rather than waiting; ioredis reconnects
 * by itself in the background.
 */
import { Redis } from 'ioredis';
import type { CacheEntryWrite, CacheStore } from './store.js';

export class RedisStore implements CacheStore {
  readonly kind = 'redis';

  constructor(readonly client: Redis) {}

  static connect(url: string): RedisStore {
    return new RedisStore(
      new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      }),
    );
  }

  /** Waits until the connection is ready (or fails after `timeoutMs`). */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
      this.client.once('ready', () => (clearTimeout(timer), resolve()));
    });
  }

  async mget(keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    return (await this.client.mget(...keys)).map((s) => {
      if (s === null) return null;
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return null; // not ours, or from an older version: a miss
      }
    });
  }

  async mset(entries: readonly CacheEntryWrite[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const e of entries) pipeline.set(e.key, JSON.stringify(e.value), 'PX', Math.max(1, Math.round(e.ttlMs)));
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async del(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.client.del(...keys);
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    await this.client.set(key, value);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
