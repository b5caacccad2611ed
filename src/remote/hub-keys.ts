/**
 * The hub's own signing key: every hub → adapter call carries a short-lived JWT (ES256) that the
 * adapter verifies against GET /.well-known/jwks.json. Replicas must share the key
 * (HUB_SIGNING_KEY, a private JWK as JSON); without it each process makes its own, which is fine
 * for one process and says so in the log.
 *
 * Rotation without a failed call (HUB_SIGNING_KEYS_PUBLISHED, a JSON array of JWKs: only their
 * public parts are published): 1. every replica publishes the new key while still signing with the
 * old; 2. every replica signs with the new key (HUB_SIGNING_KEY) and publishes the old; 3. after
 * a few minutes (tokens live 60 s, adapters cache the JWKS) the old one is dropped.
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import { ConfigError } from '../../adapters/contract.js';

export const HUB_ISSUER = 'one-window-hub';
export const ADAPTER_AUDIENCE = 'owh-adapter';

export class HubKeys {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly generated: boolean,
    /** Public keys published besides the signing one (the next key, or the one just retired). */
    private readonly alsoPublished: JWK[] = [],
  ) {}

  static async load(privateJwkJson: string | null, publishedJson: string | null = null): Promise<HubKeys> {
    const also = await Promise.all(parsePublished(publishedJson).map(publicPart));
    if (privateJwkJson) {
      const jwk = JSON.parse(privateJwkJson) as JWK;
      const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
      const pub = await publicPart(jwk);
      return new HubKeys(key, pub, false, also.filter((k) => k.kid !== pub.kid));
    }
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pub = await exportJWK(publicKey);
    return new HubKeys(privateKey as CryptoKey, { ...pub, alg: 'ES256', use: 'sig', kid: await calculateJwkThumbprint(pub) }, true, also);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk, ...this.alsoPublished] };
  }

  /** A token for one call to one department's adapter, valid for a minute. */
  async sign(department: string, operator: string): Promise<string> {
    return new SignJWT({ dep: department, op: operator })
      .setProtectedHeader({ alg: 'ES256', kid: this.publicJwk.kid! })
      .setIssuer(HUB_ISSUER)
      .setAudience(ADAPTER_AUDIENCE)
      .setSubject(department)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(this.privateKey);
  }
}

/** A JWK's public part, with the algorithm, use and key id the hub publishes. */
async function publicPart(jwk: JWK): Promise<JWK> {
  const { d: _d, ...pub } = jwk;
  return { ...pub, alg: 'ES256', use: 'sig', kid: jwk.kid ?? (await calculateJwkThumbprint(pub)) };
}

function parsePublished(json: string | null): JWK[] {
  if (!json) return [];
  let keys: unknown;
  try {
    keys = JSON.parse(json);
  } catch {
    throw new ConfigError('HUB_SIGNING_KEYS_PUBLISHED must be a JSON array of JWKs');
  }
  if (!Array.isArray(keys) || !keys.every((k) => k && typeof k === 'object' && (k as JWK).kty === 'EC' && (k as JWK).crv === 'P-256')) {
    throw new ConfigError('HUB_SIGNING_KEYS_PUBLISHED must be a JSON array of P-256 (ES256) JWKs');
  }
  return keys as JWK[];
}
