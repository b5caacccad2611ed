/**
 * Department credentials: an administrator issues one per department (`npm run credentials`); the
 * department's adapter presents it to register. Only a SHA-256 of the secret is stored (the
 * secret is 32 random bytes, so a slow hash buys nothing); the token is shown once.
 * Token format: `owhdc_<id>_<secret>`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/db.js';

const TOKEN = /^owhdc_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function issueCredential(db: Queryable, department: string, validDays = 365): Promise<{ id: string; token: string; expiresAt: Date }> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(department)) throw new Error('department must be a code: lower-case letters, digits and -');
  const id = randomBytes(12).toString('base64url').replace(/[-_]/g, '').slice(0, 16).padEnd(16, '0');
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + validDays * 86_400_000);
  await db.query('insert into department_credentials (id, department, secret_sha256, expires_at) values ($1, $2, $3, $4)', [id, department, sha256(secret), expiresAt]);
  return { id, token: `owhdc_${id}_${secret}`, expiresAt };
}

/** The department a bearer token stands for, or null (unknown, malformed, expired or revoked). */
export async function verifyCredential(db: Queryable, authorization: string | undefined): Promise<{ id: string; department: string } | null> {
  const m = TOKEN.exec(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  if (!m) return null;
  const { rows } = await db.query<{ department: string; secret_sha256: string }>('select department, secret_sha256 from department_credentials where id = $1 and revoked_at is null and expires_at > now()', [m[1]]);
  const row = rows[0];
  if (!row) return null;
  const a = Buffer.from(row.secret_sha256, 'hex');
  const b = Buffer.from(sha256(m[2]!), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? { id: m[1]!, department: row.department } : null;
}

export interface CredentialInfo {
  id: string;
  department: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Every credential (never its secret or hash), newest first: what to rotate and what to revoke. */
export async function listCredentials(db: Queryable, department?: string): Promise<CredentialInfo[]> {
  const { rows } = await db.query<{ id: string; department: string; created_at: Date; expires_at: Date; revoked_at: Date | null }>(
    `select id, department, created_at, expires_at, revoked_at from department_credentials ${department ? 'where department = $1' : ''} order by created_at desc, id`,
    department ? [department] : [],
  );
  return rows.map((r) => ({ id: r.id, department: r.department, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at }));
}

export async function revokeCredential(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('update department_credentials set revoked_at = now() where id = $1 and revoked_at is null', [id])).rowCount === 1;
}
