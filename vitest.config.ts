import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,contract,db,services,host,main,cli,renderer,scripts,trainer,experiments,test}/**/*.test.ts'],
    environment: 'node',
    // better-sqlite3 and child processes are happiest in forks.
    pool: 'forks',
  },
});
