/**
 * The hub's schema: built by type-graphql from the resolver classes, then made an Apollo
 * Federation 2 subgraph (the @key directives on Resident and friends, `_entities`, `_service`),
 * so a district or city supergraph can compose it.
 */
import 'reflect-metadata';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import { buildSchema, createResolversMap } from 'type-graphql';
import { CaseResolver, CatalogueResolver, ResidentCasesResolver, resolveCaseReference, resolveServiceItemReference } from './case-resolvers.js';
import { GrantResolver } from './grant-resolvers.js';
import { DepartmentResolver, ResidentResolver, resolveResidentReference } from './resolvers.js';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

export async function buildHubSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers: [ResidentResolver, DepartmentResolver, ResidentCasesResolver, CatalogueResolver, CaseResolver, GrantResolver], validate: false, skipCheck: true });
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  resolvers.Resident = { ...(resolvers.Resident as object), __resolveReference: resolveResidentReference as never };
  resolvers.ServiceItem = { ...(resolvers.ServiceItem as object), __resolveReference: resolveServiceItemReference as never };
  resolvers.Case = { ...(resolvers.Case as object), __resolveReference: resolveCaseReference as never };
  return buildSubgraphSchema({ typeDefs: gql(`${FEDERATION}\n${printSchemaWithDirectives(schema)}`), resolvers });
}

export const SDL_HEADER = '# Generated from the type-graphql code by `npm run schema`; do not edit. `npm test` fails when it is stale.\n# An Apollo Federation 2 subgraph schema.\n\n';

export async function hubSdl(): Promise<string> {
  return SDL_HEADER + printSubgraphSchema(await buildHubSchema()) + '\n';
}
