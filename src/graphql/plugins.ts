/**
 * Small named Apollo plugins for cross-cutting concerns.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { DATABASE_RETRY_AFTER_SECONDS } from '../db/db.js';
import type { Context } from './context.js';

/** Appends the request's department failures to the response errors, next to the partial data. */
export function departmentFailuresPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const extra = contextValue.failures?.list() ?? [];
          if (extra.length === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...extra];
        },
      };
    },
  };
}

/**
 * A request that got nothing because the case ledger is unreachable answers HTTP 503 with a
 * Retry-After, so clients and load balancers can tell "try again shortly" from a bad request.
 * Partial answers (department data read, a ledger field failed) stay 200 with the error inside.
 */
export function databaseUnavailablePlugin(retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data !== null && data !== undefined) return;
          if (!errors?.some((e) => e.extensions?.code === 'DATABASE_UNAVAILABLE')) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfterSeconds));
        },
      };
    },
  };
}
