import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { DepartmentResolver, ResidentResolver } from './resolvers.js';

export async function buildHubSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [ResidentResolver, DepartmentResolver], validate: false });
}

export const SDL_HEADER = '# Generated from the type-graphql code by `npm run schema`; do not edit. `npm test` fails when it is stale.\n\n';

export async function hubSdl(): Promise<string> {
  return SDL_HEADER + printSchema(await buildHubSchema()) + '\n';
}
