/**
 * Who is asking. Roles and what binds them (docs/ACCESS.md has the matrix):
 *   window_clerk   a comprehensive window (claim `window`)
 *   result_clerk   the result window (claim `window`)
 *   station_staff  a community station (claim `station`, required)
 *   self_service   a kiosk, for the one resident whose card was read (claim `resident`, required)
 *   analyst        statistics; personal data always masked
 *   department     a department's staff (claim `department`, required): its own cases
 *   admin          everything
 */
export const ROLES = ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'analyst', 'department', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's subject: the person or kiosk acting (recorded as the operator). */
  subject: string;
  role: Role;
  window: string | null;
  station: string | null;
  department: string | null;
  /** self_service: the only resident this kiosk session may see. */
  resident: string | null;
  /** An unmasking grant in use for this request (X-Unmask-Grant), checked against the database. */
  unmaskGrant?: string | null;
}

/** Roles that see personal data only masked. */
export const MASKED_ROLES: ReadonlySet<Role> = new Set(['analyst']);
