/**
 * Small named Apollo plugins for cross-cutting concerns.
 */
import type { ApolloServerPlugin } from '@apollo/server';
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
