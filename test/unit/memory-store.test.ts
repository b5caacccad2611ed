import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/store.js';

describe('MemoryStore', () => {
  it('expires entries by TTL', async () => {
    let now = 1000;
    const s = new MemoryStore(10, () => now);
    await s.mset([{ key: 'a', value: '1', ttlMs: 100 }]);
    expect(await s.mget(['a', 'b'])).toEqual(['1', null]);
    now = 1100;
    expect(await s.mget(['a'])).toEqual([null]);
  });

  it('evicts the oldest write when full', async () => {
    const s = new MemoryStore(2);
    await s.mset([{ key: 'a', value: '1', ttlMs: 1e6 }, { key: 'b', value: '2', ttlMs: 1e6 }]);
    await s.mset([{ key: 'a', value: '1b', ttlMs: 1e6 }]); // rewriting a moves it to the back
    await s.mset([{ key: 'c', value: '3', ttlMs: 1e6 }]);
    expect(await s.mget(['a', 'b', 'c'])).toEqual(['1b', null, '3']);
    expect(s.size).toBe(2);
  });
});

describe.each(process.env.REDIS_URL ? ['memory', 'redis'] : ['memory'])('counters (%s)', (kind) => {
  it('count within a window that starts at the first increment', async () => {
    const { Redis } = await import('ioredis');
    const { RedisStore } = await import('../../src/cache/redis.js');
    const store = kind === 'redis' ? new RedisStore(new Redis(process.env.REDIS_URL!)) : new MemoryStore();
    const key = `owh:test:counter:${Math.random()}`;
    try {
      expect((await store.incr(key, 5000)).count).toBe(1);
      const second = await store.incr(key, 5000);
      expect(second.count).toBe(2);
      expect(second.ttlMs).toBeGreaterThan(3000);
      expect(second.ttlMs).toBeLessThanOrEqual(5000);
    } finally {
      await store.del([key]);
      await store.close();
    }
  });
});
