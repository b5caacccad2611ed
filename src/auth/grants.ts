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
  revokedAt: Date | null;
  revokedBy: string | null;
}

interface GrantRow {
  id: string;
  subject: string;
  reason: string;
  granted_by: string;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const COLUMNS = 'id, subject, reason, granted_by, expires_at, revoked_at, revoked_by';

const fromRow = (r: GrantRow): UnmaskGrant => ({ id: r.id, subject: r.subject, reason: r.reason, grantedBy: r.granted_by, expiresAt: r.expires_at, revokedAt: r.revoked_at, revokedBy: r.revoked_by });

export async function createGrant(db: Queryable, subject: string, reason: string, hours: number, grantedBy: string): Promise<UnmaskGrant> {
  const id = `ug_${randomBytes(12).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + hours * 3_600_000);
  await db.query('insert into unmask_grants (id, subject, reason, granted_by, expires_at) values ($1, $2, $3, $4, $5)', [id, subject, reason, grantedBy, expiresAt]);
  return { id, subject, reason, grantedBy, expiresAt, revokedAt: null, revokedBy: null };
}

/** Grants not yet expired (revoked ones included, marked), newest first. */
export async function currentGrants(db: Queryable, limit = 200): Promise<UnmaskGrant[]> {
  const { rows } = await db.query<GrantRow>(`select ${COLUMNS} from unmask_grants where expires_at > now() order by expires_at desc limit $1`, [limit]);
  return rows.map(fromRow);
}

/** Ends a grant now; null when there is no such grant. Revoking twice keeps the first time and revoker. */
export async function revokeGrant(db: Queryable, id: string, revokedBy: string): Promise<UnmaskGrant | null> {
  const { rows } = await db.query<GrantRow>(
    `update unmask_grants set revoked_by = case when revoked_at is null then $2 else revoked_by end, revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id, revokedBy],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The grant, if it exists, is this subject's, and is neither expired nor revoked. */
export async function activeGrant(db: Queryable, id: string, subject: string): Promise<UnmaskGrant | null> {
  const { rows } = await db.query<GrantRow>(
    `select ${COLUMNS} from unmask_grants where id = $1 and subject = $2 and revoked_at is null and expires_at > now()`,
    [id, subject],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}
