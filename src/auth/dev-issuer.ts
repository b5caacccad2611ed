/**
 * The development token issuer: a key pair kept in a file (so `npm run token` can mint for a
 * running hub), its JWKS served to the hub in-process. Never for production: the hub refuses it
 * when NODE_ENV=production unless AUTH_DEV_ISSUER_ALLOW_IN_PRODUCTION=true, and says so loudly.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from './principal.js';

export const DEV_ISSUER = 'owh-dev-issuer';
export const HUB_AUDIENCE = 'one-window-hub';

export interface TokenClaims {
  role: Role;
  sub?: string;
  window?: string;
  station?: string;
  department?: string;
  resident?: string;
}

export class DevIssuer {
  private constructor(private readonly privateKey: CryptoKey, readonly publicJwk: JWK) {}

  static async load(file: string): Promise<DevIssuer> {
    let jwk: JWK;
    if (existsSync(file)) jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    else {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      jwk = await exportJWK(privateKey);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    const { d: _d, ...pub } = jwk;
    const kid = await calculateJwkThumbprint(pub);
    return new DevIssuer((await importJWK(jwk, 'ES256')) as CryptoKey, { ...pub, kid, alg: 'ES256', use: 'sig' });
  }

  jwks() {
    return createLocalJWKSet({ keys: [this.publicJwk] });
  }

  /** `adjust` changes the token before it is signed (tests make expired or misaddressed ones with it). */
  async mint(claims: TokenClaims, ttl = '12h', adjust: (jwt: SignJWT) => SignJWT = (j) => j): Promise<string> {
    const { sub, ...rest } = claims;
    const jwt = new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'ES256', kid: this.publicJwk.kid! })
      .setIssuer(DEV_ISSUER)
      .setAudience(HUB_AUDIENCE)
      .setSubject(sub ?? `dev-${claims.role}`)
      .setIssuedAt()
      .setExpirationTime(ttl);
    return adjust(jwt).sign(this.privateKey);
  }
}

/** Example tokens printed at `npm start`: one per role, bound the way each role must be. */
export const DEV_PRINCIPALS = (residentId: string): TokenClaims[] => [
  { role: 'window_clerk', sub: 'clerk-01', window: 'W1' },
  { role: 'result_clerk', sub: 'clerk-05', window: 'R1' },
  { role: 'station_staff', sub: 'station-03', station: 'JW-03' },
  { role: 'self_service', sub: 'kiosk-01', resident: residentId },
  { role: 'analyst', sub: 'analyst-01' },
  { role: 'department', sub: 'ca-staff-01', department: 'civil-affairs' },
  { role: 'admin', sub: 'admin-01' },
];
