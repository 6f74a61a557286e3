import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EVENT_CHANNEL, OP_NAMES } from '../contract/names';
import { fail } from '../contract/result';
import { DatabaseTooNewError } from '../db/errors';
import { resolveDataDir } from '../host/data-dir';
import { dispatch } from '../host/handlers';
import { createAppContext, type AppContext } from '../services/app-context';
import { ALREADY_RUNNING_MARKER, READY_MARKER, tellLauncher, toleratePipeLoss } from './launcher-signal';
import { isAppUrl, isSafeExternalUrl, isTrustedSender } from './url-trust';
import { utilityTrainer } from './utility-trainer';
import { mainWindowOptions } from './window-options';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(path.join(here, '../renderer/index.html')).href;
let ctx: AppContext | undefined;

function dataDirFromArgs(): string | undefined {
  const { values } = parseArgs({ args: process.argv.slice(1), options: { 'data-dir': { type: 'string' } }, strict: false });
  return typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
}

function lockDownSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, rendererUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function registerIpc(context: AppContext): void {
  for (const op of OP_NAMES) {
    ipcMain.handle(op, (event, input: unknown) => {
      // Compared by object, not by URL spelling: the sender must be one of our windows' main frame.
      const sender = {
        fromAppWindow: BrowserWindow.getAllWindows().some((w) => w.webContents === event.sender),
        isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
        frameUrl: event.senderFrame?.url,
      };
      if (!isTrustedSender(sender, rendererUrl)) return fail('forbidden', 'Caller is not the Phenobook window');
      return dispatch(context, op, input);
    });
  }
  context.events.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(EVENT_CHANNEL, event);
  });
}

function createWindow(): void {
  const win = new BrowserWindow(mainWindowOptions(path.join(here, '../preload/index.cjs')));
  win.once('ready-to-show', () => {
    win.show();
    tellLauncher(READY_MARKER);
  });
  void win.loadURL(rendererUrl);
}

async function start(): Promise<void> {
  toleratePipeLoss();
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // The running instance focuses its window (second-instance); the launcher must not fall back.
    tellLauncher(ALREADY_RUNNING_MARKER);
    app.quit();
    return;
  }
  await app.whenReady();
  try {
    ctx = createAppContext({
      dataDir: resolveDataDir(dataDirFromArgs()),
      mode: 'desktop',
      spawnTrainer: utilityTrainer(path.join(here, 'trainer.js')),
    });
  } catch (err) {
    const message = err instanceof DatabaseTooNewError ? err.message : `Could not open the database: ${(err as Error).message}`;
    dialog.showErrorBox('Phenobook cannot start', message);
    app.exit(1);
    return;
  }
  lockDownSessions();
  registerIpc(ctx);
  createWindow();
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => ctx?.close());
void start();
