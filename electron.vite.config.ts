import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;

// Our folders are top-level (not src/main etc.), so every entry is named here.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // Electron main process.
          index: resolve(root, 'main/index.ts'),
          // Browser-mode host: same services and contract over HTTP, no Electron.
          web: resolve(root, 'host/web-entry.ts'),
          // Headless CLI (`phenobook`).
          cli: resolve(root, 'cli/phenobook.ts'),
          // Trainer process (fork or utilityProcess): all TensorFlow.js work happens here.
          trainer: resolve(root, 'trainer/trainer-entry.ts'),
          // Worker thread of every host: bundle imports and confounder analyses, off the event loop.
          'offthread-worker': resolve(root, 'services/offthread-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        // A sandboxed preload cannot load ES modules or other files: one CommonJS bundle.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
