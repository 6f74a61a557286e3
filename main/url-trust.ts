/**
 * Security decisions as small pure functions, tested with adversarial inputs (url-trust.test.ts).
 */

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True when `url` is the app's own page: same protocol, host and path as `appUrl` (query and
 * hash may differ, since the renderer routes by hash). Anything else must not be navigated to
 * or be allowed to call the host.
 */
export function isAppUrl(url: string | undefined | null, appUrl: string): boolean {
  if (!url) return false;
  const a = parse(url);
  const b = parse(appUrl);
  if (!a || !b) return false;
  if (a.username || a.password) return false;
  if (a.protocol !== b.protocol || a.host !== b.host) return false;
  if (b.protocol === 'file:') return filePathKey(a.pathname) === filePathKey(b.pathname);
  // A dev server (http://localhost:5173) serves the app from its whole origin.
  return b.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(b.hostname);
}

/**
 * A file URL's path in one spelling: percent-escapes decoded and a Windows drive letter in lower
 * case (Chromium and pathToFileURL may disagree on both: `/C:/…` vs `/c:/…`, `%20` vs a space).
 */
function filePathKey(pathname: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
  return decoded.replace(/^\/([A-Za-z]):/, (_m, drive: string) => `/${drive.toLowerCase()}:`);
}

/**
 * Whether an IPC call may reach the host: it must come from the main frame of one of the app's
 * own windows (not a subframe, not another webContents) showing the app's page.
 */
export function isTrustedSender(sender: { fromAppWindow: boolean; isMainFrame: boolean; frameUrl: string | undefined }, appUrl: string): boolean {
  return sender.fromAppWindow && sender.isMainFrame && isAppUrl(sender.frameUrl, appUrl);
}

/** Links the system browser may open: https only, a real host name, no embedded credentials. */
export function isSafeExternalUrl(url: string): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:') return false;
  if (u.username || u.password) return false;
  if (!u.hostname || u.hostname.includes('%')) return false;
  return true;
}
