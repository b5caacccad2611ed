/**
 * The hub's own signing key: every hub → adapter call carries a short-lived JWT (ES256) that the
 * adapter verifies against GET /.well-known/jwks.json. Replicas must share the key
 * (HUB_SIGNING_KEY, a private JWK as JSON); without it each process makes its own, which is fine
 * for one process and says so in the log.
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, calculateJwkThumbprint, type JWK } from 'jose';

export const HUB_ISSUER = 'one-window-hub';
export const ADAPTER_AUDIENCE = 'owh-adapter';

export class HubKeys {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly generated: boolean,
  ) {}

  static async load(privateJwkJson: string | null): Promise<HubKeys> {
    if (privateJwkJson) {
      const jwk = JSON.parse(privateJwkJson) as JWK;
      const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
      const { d: _d, ...pub } = jwk;
      return new HubKeys(key, { ...pub, alg: 'ES256', use: 'sig', kid: jwk.kid ?? (await calculateJwkThumbprint(pub)) }, false);
    }
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pub = await exportJWK(publicKey);
    return new HubKeys(privateKey as CryptoKey, { ...pub, alg: 'ES256', use: 'sig', kid: await calculateJwkThumbprint(pub) }, true);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
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
