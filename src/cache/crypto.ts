/**
 * Encryption of cached values at rest (AES-256-GCM), for stores outside the process (Redis).
 * A keyring: `CACHE_ENCRYPTION_KEYS="k2:<base64 32 bytes>,k1:<base64>"` — the first key encrypts,
 * every key decrypts (rotation: put the new key first, keep the old until its entries expire —
 * at most the longest TTL plus CACHE_STALE_IF_ERROR_SECONDS — then drop it).
 * Wire form: `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class CacheCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly current: string;

  constructor(keyring: string) {
    const entries = keyring.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
      const [id, b64] = entry.split(':', 2);
      const key = Buffer.from(b64 ?? '', 'base64');
      if (!id || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || key.length !== 32) throw new Error('CACHE_ENCRYPTION_KEYS: each entry is <id>:<base64 of 32 bytes>');
      return [id, key] as const;
    });
    if (entries.length === 0) throw new Error('CACHE_ENCRYPTION_KEYS is empty');
    this.keys = new Map(entries);
    this.current = entries[0]![0];
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.current)!, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${this.current}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}`;
  }

  /** The plaintext, or null when the value is not ours, its key is gone, or it was tampered with. */
  decrypt(wire: string): string | null {
    const [v, id, iv, tag, data] = wire.split('.');
    const key = this.keys.get(id ?? '');
    if (v !== 'v1' || !key || !iv || !tag || data === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
