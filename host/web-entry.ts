import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DatabaseTooNewError } from '../db/errors';
import { createAppContext } from '../services/app-context';
import { forkTrainer } from '../services/fork-trainer';
import { resolveDataDir } from './data-dir';
import { listenRemembering, writeLastPort } from './last-port';
import { openInBrowser } from './open-browser';
import { startWebHost } from './web-server';

export interface WebLaunchOptions {
  /** The port asked for with --port (0: any free one); undefined: the one used last time, when free. */
  port?: number;
  open: boolean;
  dataDir?: string;
  /** Why desktop mode was not used, shown once at start. */
  reason?: string;
}

export function parseLaunchArgs(argv: string[]): WebLaunchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      web: { type: 'boolean' },
      port: { type: 'string' },
      'no-open': { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be an integer from 0 to 65535 (0 = any free port), got "${values.port}"`);
  }
  return { port, open: !values['no-open'], dataDir: values['data-dir'] };
}

/** Starts browser mode and keeps running until SIGINT/SIGTERM; returns a stop function. */
export async function runWebHost(options: WebLaunchOptions): Promise<() => Promise<void>> {
  const dataDir = resolveDataDir(options.dataDir);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ctx = createAppContext({
    dataDir,
    mode: 'browser',
    spawnTrainer: forkTrainer(path.join(here, 'trainer.js')),
    onBackup: (p) => console.log(`Backed up the database before upgrading it: ${p}`),
  });
  const token = randomBytes(32).toString('base64url');
  const staticDir = path.join(here, '../renderer');
  let host;
  let fellBackFrom: number | null;
  try {
    ({ host, fellBackFrom } = await listenRemembering(dataDir, options.port, (port) => startWebHost({ ctx, token, staticDir, port })));
  } catch (err) {
    ctx.close();
    throw err;
  }
  writeLastPort(dataDir, host.port);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await host.close();
      ctx.close();
      console.log('Phenobook stopped: database checkpointed and closed.');
    })());
  const onSignal = () => {
    // Synchronously, before anything awaits: trainers that die with the terminal's Ctrl-C are
    // then recorded as interrupted by the shutdown, not as failed runs, and nothing new starts.
    ctx.runs.beginShutdown();
    void stop().then(() => process.exit(0));
  };
  // Before the URL is printed: a Ctrl-C (or a supervisor's SIGINT) right after it must still
  // checkpoint and close the database rather than kill the process mid-way.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const url = `${host.url}#token=${token}`;
  if (options.reason) console.log(`Browser mode: ${options.reason}`);
  if (fellBackFrom !== null) console.log(`Port ${fellBackFrom} (used last time) is taken; listening on ${host.port} instead.`);
  console.log(`Data: ${ctx.info.databasePath}`);
  console.log(`Phenobook is running at ${url}`);
  console.log('Press Ctrl-C to stop.');
  if (options.open) openInBrowser(url);
  return stop;
}

/** Entry used by `npm start` when it falls back to (or is asked for) browser mode. */
export async function main(argv: string[], reason?: string): Promise<void> {
  let options: WebLaunchOptions;
  try {
    options = parseLaunchArgs(argv);
  } catch (err) {
    console.error(`phenobook: ${(err as Error).message}`);
    process.exit(2);
  }
  try {
    await runWebHost({ ...options, reason });
  } catch (err) {
    console.error(err instanceof DatabaseTooNewError ? err.message : `Phenobook could not start: ${(err as Error).message}`);
    process.exit(1);
  }
}
