#!/usr/bin/env node
// The headless CLI (`npx phenobook …`); see docs/cli.md and the README.
import '../scripts/node-version.mjs';
import module from 'node:module';
// Compiled code is cached on disk between calls (Node ≥ 22.1): a script calling the CLI once
// per task pays module compilation once, not every time.
module.enableCompileCache?.();
const { ensureBuilt, ROOT } = await import('../scripts/build-if-stale.mjs');
import path from 'node:path';
import { pathToFileURL } from 'node:url';

try {
  // SLURM array tasks set this: the app was built at submit time, and many tasks starting at
  // once must not each rebuild it (or see a half-written out/) after a source file changed.
  if (process.env.PHENOBOOK_SKIP_BUILD !== '1') ensureBuilt();
} catch (err) {
  console.error(`phenobook: ${err.message}`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(path.join(ROOT, 'out', 'main', 'cli.js')).href);
process.exitCode = await main(process.argv.slice(2));
