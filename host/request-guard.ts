import { timingSafeEqual } from 'node:crypto';

export type GuardResult = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface GuardInput {
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost):(\d{1,5})$/;

/**
 * Decides whether an API request may proceed: it must carry the per-launch token (401 otherwise),
 * name a loopback host (defeats DNS rebinding) and, when a browser sends an Origin, come from
 * the page it is addressed to (403 otherwise). The port is not pinned: through an SSH tunnel
 * (`ssh -L 9000:127.0.0.1:PORT`) the browser says `localhost:9000`.
 */
export function guardApiRequest(req: GuardInput, token: string, _port?: number): GuardResult {
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(req.authorization ?? '');
  if (!match || !tokensEqual(match[1]!, token)) {
    return { ok: false, status: 401, message: 'Missing or wrong token: open the URL that `npm start` printed.' };
  }
  const host = req.host?.toLowerCase();
  if (!host || !LOOPBACK_HOST.test(host)) {
    return { ok: false, status: 403, message: `Unexpected Host header: ${String(req.host).slice(0, 100)}` };
  }
  if (req.origin !== undefined && req.origin !== `http://${host}`) {
    return { ok: false, status: 403, message: `Requests from origin ${req.origin.slice(0, 100)} are not allowed` };
  }
  return { ok: true };
}
