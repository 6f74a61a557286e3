import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

// Imports that would give the renderer (and the contract it shares) access to Node or Electron.
const NODE_ONLY = {
  patterns: [
    { group: ['node:*'], message: 'The renderer and the contract run without Node.' },
    {
      group: ['electron', 'better-sqlite3', 'env-paths', '@tensorflow/*'],
      message: 'The renderer reaches the host only through the contract (window.api / HTTP).',
    },
    {
      group: ['**/db/**', '**/services/**', '**/host/**', '**/main/**', '**/preload/**', '**/cli/**', '**/trainer/**'],
      message: 'The renderer may import only renderer/ and contract/ code.',
    },
  ],
  paths: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'url', 'util', 'worker_threads'].map((name) => ({
    name,
    message: 'The renderer and the contract run without Node.',
  })),
};

export default ts.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['renderer/**/*.{ts,svelte}', 'contract/**/*.ts', 'common/**/*.ts'],
    // Tests run in Node (e.g. to read the paper's text); the code they test does not.
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', NODE_ONLY] },
  },
);
