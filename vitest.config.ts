import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the renderer's rune modules (*.svelte.ts) that unit tests import.
  plugins: [svelte()],
  test: {
    include: ['{common,contract,db,services,host,main,cli,renderer,scripts,trainer,experiments,test}/**/*.test.ts'],
    // The example experiments train for minutes: vitest.examples.config.ts (npm run test:examples).
    exclude: ['experiments/examples-*.test.ts', '**/node_modules/**'],
    environment: 'node',
    // better-sqlite3 and child processes are happiest in forks.
    pool: 'forks',
  },
});
