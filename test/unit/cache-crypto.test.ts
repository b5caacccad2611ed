import { describe, expect, it } from 'vitest';
import { CacheCipher } from '../../src/cache/crypto.js';

describe('cache encryption (AES-256-GCM keyring)', () => {
  const k1 = CacheCipher.generateKey();
  const k2 = CacheCipher.generateKey();

  it('round-trips, never shows the plaintext, and refuses a tampered value', () => {
    const c = new CacheCipher(`k1:${k1}`);
    const wire = c.encrypt('{"name":"张三","idNumber":"11010519491231002X"}');
    expect(wire).toMatch(/^v1\.k1\./);
    expect(wire).not.toContain('张三');
    expect(wire).not.toContain('11010519491231002X');
    expect(c.decrypt(wire)).toBe('{"name":"张三","idNumber":"11010519491231002X"}');
    const parts = wire.split('.');
    parts[4] = Buffer.from('{"name":"李四"}').toString('base64url');
    expect(c.decrypt(parts.join('.'))).toBeNull();
    expect(c.decrypt('{"plain":"json"}')).toBeNull();
  });

  it('rotates: the new key encrypts, the old still decrypts until it is dropped', () => {
    const old = new CacheCipher(`k1:${k1}`).encrypt('x');
    const rotated = new CacheCipher(`k2:${k2},k1:${k1}`);
    expect(rotated.decrypt(old)).toBe('x');
    expect(rotated.encrypt('y')).toMatch(/^v1\.k2\./);
    expect(new CacheCipher(`k2:${k2}`).decrypt(old)).toBeNull();
  });

  it('refuses a malformed keyring', () => {
    expect(() => new CacheCipher('k1:short')).toThrow(/32 bytes/);
    expect(() => new CacheCipher('')).toThrow();
  });
});
