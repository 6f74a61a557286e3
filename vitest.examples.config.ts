import { defineConfig } from 'vitest/config';

// The example experiments (docs/examples/experiments), trained with 3 seeds each to check their
// stated outcomes: minutes of CPU, so they run on their own (`npm run test:examples`, part of
// `npm test`) rather than beside the unit suite's timed tests. One file per outcome, two at once.
export default defineConfig({
  test: {
    include: ['experiments/examples-*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30 * 60_000,
  },
});
