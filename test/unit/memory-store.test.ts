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
