import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Browser mode remembers the port it last listened on, in the data folder, so a bookmark of
 * http://127.0.0.1:PORT/ still reaches Phenobook after a restart. Without `--port`, that port is
 * tried first and any free one is taken when it is busy; `--port N` asks for N (0: any free port).
 */
export const LAST_PORT_FILE = 'browser-port.json';

const LastPortSchema = z.strictObject({ port: z.int().min(1).max(65535) });

export function readLastPort(dataDir: string): number | null {
  try {
    const parsed = LastPortSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dataDir, LAST_PORT_FILE), 'utf8')));
    return parsed.success ? parsed.data.port : null;
  } catch {
    return null;
  }
}

export function writeLastPort(dataDir: string, port: number): void {
  try {
    fs.writeFileSync(path.join(dataDir, LAST_PORT_FILE), `${JSON.stringify({ port })}\n`);
  } catch {
    // Remembering the port is a convenience: a read-only data folder must not stop the host.
  }
}

/**
 * Listens on the asked-for port, or — when none was asked for — on the remembered one, falling
 * back to any free port when that is taken. Returns what `listen` returned and whether it fell back.
 */
export async function listenRemembering<T>(
  dataDir: string,
  asked: number | undefined,
  listen: (port: number) => Promise<T>,
): Promise<{ host: T; fellBackFrom: number | null }> {
  const remembered = asked === undefined ? readLastPort(dataDir) : null;
  if (remembered !== null) {
    try {
      return { host: await listen(remembered), fellBackFrom: null };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
      return { host: await listen(0), fellBackFrom: remembered };
    }
  }
  return { host: await listen(asked ?? 0), fellBackFrom: null };
}
