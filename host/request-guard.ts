import { timingSafeEqual } from 'node:crypto';

export type GuardResult = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface GuardInput {
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
}

/** The origins the app itself is served from (a browser may use either loopback name). */
export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decides whether an API request may proceed: it must carry the per-launch token (401 otherwise),
 * name this host (defeats DNS rebinding) and, when a browser sends an Origin, come from the app's
 * own origin (403 otherwise).
 */
export function guardApiRequest(req: GuardInput, token: string, port: number): GuardResult {
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(req.authorization ?? '');
  if (!match || !tokensEqual(match[1]!, token)) {
    return { ok: false, status: 401, message: 'Missing or wrong token: open the URL that `npm start` printed.' };
  }
  const origins = allowedOrigins(port);
  const hosts = origins.map((o) => o.slice('http://'.length));
  if (!req.host || !hosts.includes(req.host.toLowerCase())) {
    return { ok: false, status: 403, message: `Unexpected Host header: ${String(req.host).slice(0, 100)}` };
  }
  if (req.origin !== undefined && !origins.includes(req.origin)) {
    return { ok: false, status: 403, message: `Requests from origin ${req.origin.slice(0, 100)} are not allowed` };
  }
  return { ok: true };
}
