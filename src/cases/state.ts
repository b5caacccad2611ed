/**
 * The case lifecycle of DOMAIN.md as data: which status may follow which. Everything that moves a
 * case goes through `assertTransition`, so an illegal move is refused before anything is written.
 */
import { GraphQLError } from 'graphql';

export type CaseStatus =
  | 'RECEIVED' | 'ACCEPTED' | 'ACCEPTED_WITH_DEFICIENCY' | 'CORRECTION_REQUESTED' | 'NOT_ACCEPTED' | 'FORWARDED'
  | 'IN_REVIEW' | 'SUSPENDED' | 'COMPLETED' | 'RESULT_READY' | 'DELIVERED' | 'RETURNED' | 'WITHDRAWN';

export const CASE_STATUSES: readonly CaseStatus[] = [
  'RECEIVED', 'ACCEPTED', 'ACCEPTED_WITH_DEFICIENCY', 'CORRECTION_REQUESTED', 'NOT_ACCEPTED', 'FORWARDED',
  'IN_REVIEW', 'SUSPENDED', 'COMPLETED', 'RESULT_READY', 'DELIVERED', 'RETURNED', 'WITHDRAWN',
];

const NEXT: Record<CaseStatus, readonly CaseStatus[]> = {
  RECEIVED: ['ACCEPTED', 'ACCEPTED_WITH_DEFICIENCY', 'CORRECTION_REQUESTED', 'NOT_ACCEPTED', 'WITHDRAWN'],
  CORRECTION_REQUESTED: ['RECEIVED', 'RETURNED', 'WITHDRAWN'],
  ACCEPTED: ['FORWARDED', 'COMPLETED', 'WITHDRAWN'],
  ACCEPTED_WITH_DEFICIENCY: ['ACCEPTED', 'FORWARDED', 'RETURNED', 'WITHDRAWN'],
  // RETURNED from a forwarded case: a 容缺 commitment not kept by its deadline (退件).
  FORWARDED: ['IN_REVIEW', 'COMPLETED', 'RETURNED', 'WITHDRAWN'],
  IN_REVIEW: ['SUSPENDED', 'COMPLETED', 'RETURNED', 'WITHDRAWN'],
  SUSPENDED: ['IN_REVIEW', 'RETURNED', 'WITHDRAWN'],
  COMPLETED: ['RESULT_READY', 'DELIVERED'],
  RESULT_READY: ['DELIVERED'],
  NOT_ACCEPTED: [],
  DELIVERED: [],
  RETURNED: [],
  WITHDRAWN: [],
};

/** Statuses in which the promised-date clock is stopped. */
export const PAUSED: ReadonlySet<CaseStatus> = new Set(['CORRECTION_REQUESTED', 'SUSPENDED']);
export const TERMINAL: ReadonlySet<CaseStatus> = new Set(['NOT_ACCEPTED', 'DELIVERED', 'RETURNED', 'WITHDRAWN']);
/** Statuses in which a case is still to be sent to its department (by the outbox). */
export const TO_FORWARD: ReadonlySet<CaseStatus> = new Set(['ACCEPTED', 'ACCEPTED_WITH_DEFICIENCY']);

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return NEXT[from].includes(to);
}

export class CaseError extends GraphQLError {
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export function assertTransition(caseNo: string, from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) {
    throw new CaseError('ILLEGAL_TRANSITION', `case ${caseNo} is ${from}; it cannot become ${to}${NEXT[from].length ? ` (it can become ${NEXT[from].join(', ')})` : ' (that status is final)'}`, { caseNo, from, to });
  }
}
