/**
 * Where the researcher's experiment files are, and which files count. Reads directory listings
 * only — never a file's code — so the host may call it.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

export const EXPERIMENT_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** The folder every notebook reads experiment files from: `<data dir>/experiments`. */
export function defaultExperimentsDir(dataDir: string): string {
  return join(dataDir, 'experiments');
}

/** Whether `name` is an experiment file (not a declaration file, a test, or a hidden or editor temp file). */
export function isExperimentFileName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('#') || name.endsWith('~')) return false;
  if (/\.d\.m?ts$/.test(name) || /\.(test|spec)\.m?[tj]s$/.test(name)) return false;
  return (EXPERIMENT_FILE_EXTENSIONS as readonly string[]).includes(extname(name));
}

/** Absolute paths of the experiment files directly in each folder (sorted; missing folders are skipped). */
export function listExperimentFiles(dirs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const path = resolve(dir, name);
      if (!isExperimentFileName(name)) continue;
      try {
        if (statSync(path).isFile()) out.add(path);
      } catch {
        // Vanished between listing and stat.
      }
    }
  }
  return [...out];
}
