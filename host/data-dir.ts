import envPaths from 'env-paths';
import path from 'node:path';

/**
 * Where the database lives: --data-dir, else PHENOBOOK_DATA_DIR, else the OS user-data folder
 * (~/.local/share/Phenobook, ~/Library/Application Support/Phenobook, %LOCALAPPDATA%\Phenobook\Data).
 * Desktop, browser mode and the CLI all use this one rule so they share one database.
 */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag || env.PHENOBOOK_DATA_DIR;
  if (chosen) return path.resolve(chosen);
  return envPaths('Phenobook', { suffix: '' }).data;
}
