import { stat } from 'node:fs/promises';
import { ImportError } from '../../common/external-run';

/** Refuses a path that is missing or of the wrong kind, before a reader starts on it. */
export async function requireInput(path: string, kind: 'file' | 'folder'): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new ImportError(`${path}: no such file or folder`, path);
  if (kind === 'file' && !info.isFile()) throw new ImportError(`${path}: not a file`, path);
  if (kind === 'folder' && !info.isDirectory()) throw new ImportError(`${path}: not a folder`, path);
}

/**
 * An error from the file system mid-read (permission denied, a file removed meanwhile) as an
 * ImportError naming the file it happened on; ImportErrors pass through unchanged.
 */
export function asImportError(err: unknown, path: string): ImportError {
  if (err instanceof ImportError) return err;
  const file = (err as NodeJS.ErrnoException).path ?? path;
  return new ImportError(`${file}: ${(err as Error).message ?? String(err)}`, file);
}
