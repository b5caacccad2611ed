/**
 * Unmasking is a grant: an administrator gives one person (a token subject) unmasked access for a
 * stated reason and a bounded time; that person sends the grant's id in `X-Unmask-Grant`. Every
 * use is visible in the audit log (the purpose records the grant) and in the log.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/db.js';

export interface UnmaskGrant {
  id: string;
  subject: string;
  reason: string;
  grantedBy: string;
  expiresAt: Date;
}

export async function createGrant(db: Queryable, subject: string, reason: string, hours: number, grantedBy: string): Promise<UnmaskGrant> {
  const id = `ug_${randomBytes(12).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + hours * 3_600_000);
  await db.query('insert into unmask_grants (id, subject, reason, granted_by, expires_at) values ($1, $2, $3, $4, $5)', [id, subject, reason, grantedBy, expiresAt]);
  return { id, subject, reason, grantedBy, expiresAt };
}

/** The grant, if it exists, is this subject's, and is neither expired nor revoked. */
export async function activeGrant(db: Queryable, id: string, subject: string): Promise<UnmaskGrant | null> {
  const { rows } = await db.query<{ id: string; subject: string; reason: string; granted_by: string; expires_at: Date }>(
    'select id, subject, reason, granted_by, expires_at from unmask_grants where id = $1 and subject = $2 and revoked_at is null and expires_at > now()',
    [id, subject],
  );
  const r = rows[0];
  return r ? { id: r.id, subject: r.subject, reason: r.reason, grantedBy: r.granted_by, expiresAt: r.expires_at } : null;
}
