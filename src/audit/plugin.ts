/**
 * Collects, per request, which residents' data was read and which fields, and writes the audit
 * records before the answer leaves: an answer whose records cannot be written is replaced by
 * AUDIT_UNAVAILABLE (503) — personal data never leaves unaudited.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { Context } from '../graphql/context.js';
import { describeError, type Logger } from '../log.js';
import type { AuditLog, AuditRecord } from './log.js';

/** What one request read: resident (real ID, kept only in memory) → fields. */
export class RequestAudit {
  readonly residents = new Map<string, Set<string>>();

  /** Notes that this request reads these fields of `idNumber`. */
  touch(idNumber: string, selected: Iterable<string>): void {
    const fields = this.residents.get(idNumber) ?? new Set<string>();
    for (const f of selected) if (f !== '__typename') fields.add(f);
    this.residents.set(idNumber, fields);
  }
}

const DENIED_CODES = new Set(['FORBIDDEN', 'PURPOSE_REQUIRED', 'UNAUTHENTICATED']);

export function auditPlugin(audit: AuditLog, log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue: ctx, operation }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? ''));
          const denied = codes.some((c) => DENIED_CODES.has(c));
          const outcome: AuditRecord['outcome'] = denied ? 'DENIED' : codes.length ? (result.data ? 'PARTIAL' : 'ERROR') : 'OK';
          const roots = operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
          const base = { at: new Date(), requestId: ctx.requestId, actor: ctx.principal.subject, role: ctx.principal.role, operation: `${operation?.operation ?? 'unknown'}:${roots.join(',')}`.slice(0, 200), purpose: ctx.purpose, outcome };
          const records: AuditRecord[] = [...ctx.audit.residents].map(([id, fields]) => ({ ...base, subjectHash: audit.subject(id), fields: [...fields].sort() }));
          // A refused attempt at personal data is audited too, even when no resident was read.
          if (records.length === 0 && denied) records.push({ ...base, subjectHash: null, fields: [] });
          if (records.length === 0) return;
          try {
            await audit.append(records);
          } catch (err) {
            log.error('answer withheld: its audit records could not be written', { requestId: ctx.requestId, ...describeError(err) });
            response.body.singleResult = { errors: [{ message: 'the audit log is unavailable, so no personal data can be shown just now; try again shortly', extensions: { code: 'AUDIT_UNAVAILABLE' } }] };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
