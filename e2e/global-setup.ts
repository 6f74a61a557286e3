import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './host';

/** Builds out/ once, before any host starts, when it is missing or older than the sources. */
export default async function globalSetup(): Promise<void> {
  const { ensureBuilt } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'build-if-stale.mjs')).href)) as {
    ensureBuilt: () => void;
  };
  ensureBuilt();
}
