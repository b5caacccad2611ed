/**
 * Errors the hub returns on purpose, with stable `extensions.code`s. Anything else that escapes a
 * resolver is masked as INTERNAL_SERVER_ERROR in one place (see formatError in server.ts).
 */
import { GraphQLError } from 'graphql';

export const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'DEPARTMENT_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'NOT_FOUND',
  'ILLEGAL_TRANSITION',
  'IDEMPOTENCY_CONFLICT',
  'ALREADY_EVALUATED',
  'FORWARDING_NOT_FAILED',
  'CORRECTION_OVERDUE',
  'CONFLICT',
  'DATABASE_UNAVAILABLE',
  'FORBIDDEN',
  'PURPOSE_REQUIRED',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
  'AUDIT_UNAVAILABLE',
]);

export class BadUserInputError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'BAD_USER_INPUT' } });
  }
}
