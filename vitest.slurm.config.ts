import { defineConfig } from 'vitest/config';

// The real-cluster acceptance test (scripts/slurm-acceptance.sh starts SLURM first); not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/slurm-acceptance.slurm.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20 * 60_000,
    hookTimeout: 60_000,
  },
});
