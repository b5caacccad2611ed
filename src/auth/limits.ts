/**
 * Limits on what one operation may ask for, checked before it runs: nesting depth, aliases, and
 * the number of fields selected (a cost that grows with what the query fans out to). Analysts,
 * whose queries are broader, get a larger budget. List sizes are bounded where the lists are
 * (at most 500 ID numbers in `residents`, 200 cases a page).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Context } from '../graphql/context.js';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxFields: 300 };
export const ANALYST_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 40, maxFields: 1000 };

/** Depth, aliases and fields of a selection (fragments expanded; a fragment cycle is GraphQL-invalid anyway). */
export function measure(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): { depth: number; aliases: number; fields: number } {
  let aliases = 0;
  let fields = 0;
  const walk = (s: SelectionSetNode, depth: number, seen: Set<string>): number => {
    let max = depth;
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) {
        fields++;
        if (sel.alias) aliases++;
        if (sel.selectionSet) max = Math.max(max, walk(sel.selectionSet, depth + 1, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, walk(sel.selectionSet, depth, seen));
      else {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) max = Math.max(max, walk(f.selectionSet, depth, new Set([...seen, f.name.value])));
      }
    }
    return max;
  };
  const depth = walk(set, 1, new Set());
  return { depth, aliases, fields };
}

export function limitsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue: ctx }) {
          if (!operation) return;
          const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
          const m = measure(operation.selectionSet, fragments);
          const limits = ctx.principal.role === 'analyst' ? ANALYST_LIMITS : DEFAULT_LIMITS;
          const over = [
            m.depth > limits.maxDepth && `depth ${m.depth} > ${limits.maxDepth}`,
            m.aliases > limits.maxAliases && `aliases ${m.aliases} > ${limits.maxAliases}`,
            m.fields > limits.maxFields && `fields ${m.fields} > ${limits.maxFields}`,
          ].filter(Boolean);
          if (over.length) throw new GraphQLError(`the query is too large: ${over.join(', ')}`, { extensions: { code: 'QUERY_TOO_COMPLEX', limits, http: { status: 400 } } });
        },
      };
    },
  };
}
