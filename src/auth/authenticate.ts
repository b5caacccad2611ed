/**
 * Bearer tokens: JWTs verified with jose against a JWKS (by URL, by file, or the development
 * issuer's), with issuer, audience, expiry, not-before and algorithm checked. Every failure is the
 * same 401 to the caller (no hint of why, no key material); the reason goes to the log.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ROLES, type Principal, type Role } from './principal.js';

export interface AuthConfig {
  jwksUrl: string | null;
  jwksFile: string | null;
  issuer: string;
  audience: string;
  algorithms: string[];
}

export class AuthError extends Error {
  readonly code = 'UNAUTHENTICATED';
}

export class Authenticator {
  /**
   * Tokens already verified, until they expire: a clerk's token is checked once, not on every
   * request (an ES256 verification costs more than a warm resident query). Bounded.
   */
  private readonly verified = new Map<string, { principal: Principal; exp: number }>();
  private static readonly MAX_CACHED = 10_000;

  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly algorithms: string[],
  ) {}

  static fromConfig(c: AuthConfig): Authenticator {
    if (c.jwksUrl) return new Authenticator(createRemoteJWKSet(new URL(c.jwksUrl)), c.issuer, c.audience, c.algorithms);
    if (c.jwksFile) return new Authenticator(createLocalJWKSet(JSON.parse(readFileSync(c.jwksFile, 'utf8'))), c.issuer, c.audience, c.algorithms);
    throw new Error('no JWKS configured');
  }

  /** The principal of an Authorization header; AuthError when there is none or it does not verify. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new AuthError('no bearer token');
    const hit = this.verified.get(m[1]!);
    if (hit && hit.exp > Date.now()) return hit.principal;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(m[1]!, this.keys, { issuer: this.issuer, audience: this.audience, algorithms: this.algorithms, requiredClaims: ['exp', 'sub'], clockTolerance: 30 }));
    } catch (err) {
      throw new AuthError(`token refused: ${(err as { code?: string }).code ?? 'invalid'}`);
    }
    const role = payload.role as Role;
    if (!ROLES.includes(role)) throw new AuthError('token has no known role');
    const str = (k: string) => (typeof payload[k] === 'string' && (payload[k] as string).length <= 64 ? (payload[k] as string) : null);
    const principal: Principal = { subject: String(payload.sub).slice(0, 128), role, window: str('window'), station: str('station'), department: str('department'), resident: str('resident')?.trim().toUpperCase() || null }; // ID numbers compare upper-case (the check digit X)
    if (role === 'station_staff' && !principal.station) throw new AuthError('station_staff token without a station');
    if (role === 'self_service' && !principal.resident) throw new AuthError('self_service token without a resident');
    if (role === 'department' && !principal.department) throw new AuthError('department token without a department');
    if (this.verified.size >= Authenticator.MAX_CACHED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(m[1]!, { principal, exp: Number(payload.exp) * 1000 });
    return principal;
  }
}
