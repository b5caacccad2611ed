/**
 * Redis-backed store (ioredis). Commands fail fast while Redis is unreachable (no offline queue,
 * one attempt per request): the hub then answers uncached rather than waiting; ioredis reconnects
 * by itself in the background.
 */
import { Redis } from 'ioredis';
import type { CacheCipher } from './crypto.js';
import type { CacheEntryWrite, CacheStore } from './store.js';

export class RedisStore implements CacheStore {
  readonly kind = 'redis';

  /** `cipher` null = values stored in plain JSON (only where CACHE_ALLOW_PLAINTEXT says so). */
  constructor(readonly client: Redis, private readonly cipher: CacheCipher | null = null) {}

  static connect(url: string, cipher: CacheCipher | null): RedisStore {
    return new RedisStore(
      new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      }),
      cipher,
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
      const plain = this.cipher ? this.cipher.decrypt(s) : s;
      if (plain === null) return null; // not ours, an old key, or tampered with: a miss
      try {
        return JSON.parse(plain) as unknown;
      } catch {
        return null; // not ours, or from an older version: a miss
      }
    });
  }

  async mset(entries: readonly CacheEntryWrite[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const e of entries) {
      const json = JSON.stringify(e.value);
      pipeline.set(e.key, this.cipher ? this.cipher.encrypt(json) : json, 'PX', Math.max(1, Math.round(e.ttlMs)));
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async del(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.client.del(...keys);
  }

  async incr(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }> {
    const results = await this.client.multi().incr(key).pexpire(key, ttlMs, 'NX').pttl(key).exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
    return { count: Number(results[0]![1]), ttlMs: Math.max(0, Number(results[2]![1])) };
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
