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
  if (b.protocol === 'file:') return a.pathname === b.pathname;
  // A dev server (http://localhost:5173) serves the app from its whole origin.
  return b.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(b.hostname);
}

/** Links the system browser may open: https only, a real host name, no embedded credentials. */
export function isSafeExternalUrl(url: string): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:') return false;
  if (u.username || u.password) return false;
  if (!u.hostname || u.hostname.includes('%')) return false;
  return true;
}
