/**
 * Lines the Electron main process prints for `npm start` (scripts/electron-runtime.mjs), which
 * only commits to desktop mode once the window is ready: an Electron that dies before then makes
 * the launcher start browser mode instead. Printed only when that launcher started us.
 */
export const READY_MARKER = 'phenobook:window-ready';
export const ALREADY_RUNNING_MARKER = 'phenobook:already-running';

export function tellLauncher(marker: typeof READY_MARKER | typeof ALREADY_RUNNING_MARKER): void {
  if (process.env.PHENOBOOK_LAUNCHER === '1') process.stdout.write(`${marker}\n`);
}

/**
 * Our stdout and stderr are pipes to the launcher, which relays them to the terminal. If the
 * launcher is gone (killed, terminal closed), a write must not crash the app with EPIPE.
 */
export function toleratePipeLoss(): void {
  if (process.env.PHENOBOOK_LAUNCHER !== '1') return;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
