import { ATTACHMENT_LIMITS } from '../contract/attachments';
import { BUNDLE_UPLOAD_BYTES } from '../contract/bundle';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonTextTooDeep, MAX_INPUT_DEPTH } from '../contract/input-shape';
import { EVENT_CHANNEL } from '../contract/names';
import { fail, type ApiError, type Result } from '../contract/result';
import type { AppContext } from '../services/app-context';
import { dispatch } from './handlers';
import { guardApiRequest } from './request-guard';
import { SECURITY_HEADERS } from './security-headers';
import { readStatic } from './static-files';

/** Larger than any valid input (a 1 MB title must reach the schema to get a field error). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const OP_PREFIX = '/api/op/';
const EVENTS_PATH = `/api/${EVENT_CHANNEL.replace(':', '-')}s`;
const HEARTBEAT_MS = 15_000;

const STATUS: Record<ApiError['code'], number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
};

export interface WebHostOptions {
  ctx: AppContext;
  token: string;
  staticDir: string;
  port?: number;
}

export interface WebHost {
  port: number;
  url: string;
  close(): Promise<void>;
}

class BodyError extends Error {
  constructor(readonly result: Result<never>) {
    super(result.ok ? '' : result.error.message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Answer 413 and close the connection once sent; the rest of the upload is discarded.
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyError(fail('payload_too_large', `Request body exceeds ${limit} bytes`)));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new BodyError(fail('invalid_input', 'Request body is not valid UTF-8', [{ path: '', message: 'not valid UTF-8' }])));
      }
    });
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string): void {
  const headers: http.OutgoingHttpHeaders = { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
  if (status === 413) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function sendResult(res: http.ServerResponse, result: Result<unknown>): void {
  const status = result.ok ? 200 : STATUS[result.error.code];
  send(res, status, JSON.stringify(result), 'application/json; charset=utf-8');
}

/** Serves the built renderer and the operation contract on 127.0.0.1 only. */
export function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { ctx, token, staticDir } = options;
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  async function handleOp(req: http.IncomingMessage, res: http.ServerResponse, op: string): Promise<void> {
    if (req.method !== 'POST') return sendResult(res, fail('not_found', 'Operations are called with POST'));
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      return sendResult(res, fail('invalid_input', 'Content-Type must be application/json'));
    }
    let input: unknown;
    try {
      // A bundle upload and an attached file are the large requests; everything else stays small.
      const limit =
        op === 'bundles:import'
          ? Math.ceil((BUNDLE_UPLOAD_BYTES * 4) / 3) + 1024
          : op === 'attachments:add'
            ? Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 64 * 1024
            : MAX_BODY_BYTES;
      const text = await readBody(req, limit);
      // The bundle upload (`{"data": "<base64>"}`, up to 342 MB) is not scanned on the host thread:
      // JSON.parse reads any depth without recursing, and dispatch refuses a deep value after it.
      if (op !== 'bundles:import' && jsonTextTooDeep(text)) {
        return sendResult(res, fail('invalid_input', `Request body is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`, [{ path: '', message: 'nested too deeply' }]));
      }
      input = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (err) {
      if (err instanceof BodyError) return sendResult(res, err.result);
      return sendResult(res, fail('invalid_input', 'Request body is not valid JSON', [{ path: '', message: 'not valid JSON' }]));
    }
    sendResult(res, await dispatch(ctx, op, input));
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = ctx.events.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  const server = http.createServer((req, res) => {
    try {
      route(req, res);
    } catch (err) {
      // A malformed request line or escape must never take the host down.
      if (!res.headersSent) sendResult(res, fail('invalid_input', `Malformed request: ${(err as Error).message}`));
    }
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      const verdict = guardApiRequest(
        { host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization },
        token,
        port,
      );
      if (!verdict.ok) {
        return sendResult(res, fail(verdict.status === 401 ? 'unauthorized' : 'forbidden', verdict.message));
      }
      if (url.pathname === EVENTS_PATH && req.method === 'GET') return handleEvents(req, res);
      if (url.pathname.startsWith(OP_PREFIX)) {
        handleOp(req, res, decodeURIComponent(url.pathname.slice(OP_PREFIX.length))).catch((err: unknown) => {
          console.error('[web] request failed:', err);
          if (!res.headersSent) sendResult(res, fail('internal', 'Request failed'));
        });
        return;
      }
      return sendResult(res, fail('not_found', `No such endpoint: ${url.pathname.slice(0, 100)}`));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', 'text/plain');
    const file = readStatic(staticDir, url.pathname);
    if (!file) return send(res, 404, 'Not found', 'text/plain');
    send(res, 200, file.body, file.type);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const stream of streams) {
              stream.write(`data: ${JSON.stringify({ type: 'host:shutdown' })}\n\n`);
              stream.end();
            }
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export const WEB_PATHS = { op: OP_PREFIX, events: EVENTS_PATH } as const;
