import type { Benefit, Status } from './world.js';

/**
 * Test/demo hook shared by the departments that grant benefits: set the status of one benefit kind
 * (adding it when missing), as a department clerk would. The simulator then emits a change.
 */
export function setBenefit(list: Benefit[], kind: string, status: Status, monthlyAmount?: number): void {
  const found = list.find((b) => b.kind === kind);
  if (found) {
    found.status = status;
    if (monthlyAmount !== undefined) found.monthlyAmount = monthlyAmount;
  } else {
    list.push({ kind, status, monthlyAmount, startDate: new Date().toISOString().slice(0, 10) });
  }
}

const STATUSES = new Set<Status>(['ACTIVE', 'SUSPENDED', 'ENDED', 'PENDING']);
export function parseStatus(x: unknown): Status | null {
  return typeof x === 'string' && STATUSES.has(x as Status) ? (x as Status) : null;
}
