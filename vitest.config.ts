import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One copy of graphql: without this, vitest may load both the ESM and CJS builds
    // ("Cannot use GraphQLObjectType from another module or realm").
    alias: { graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
  },
  test: {
    // The end-to-end files mostly wait (department latency, timeouts, child processes), so two run
    // at once even on two cores (vitest's default would be cores − 1 = one): ~3 min instead of ~4.5.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.e2e.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
    ],
  },
});
