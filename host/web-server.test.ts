import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotTables, tempContext } from '../test/temp-context';
import { startWebHost, type WebHost } from './web-server';

const TOKEN = 'test-token-0123456789abcdef0123456789';
let ctx: ReturnType<typeof tempContext>;
let host: WebHost;
let origin: string;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so tests control every header and byte (fetch would add an Origin of its own choosing). */
function request(
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method, path: urlPath, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const authed = (extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${TOKEN}`,
  'Content-Type': 'application/json',
  Host: `127.0.0.1:${host.port}`,
  ...extra,
});
const call = (op: string, body: unknown, headers = authed({ Origin: origin })) =>
  request('POST', `/api/op/${op}`, { headers, body: JSON.stringify(body) });

beforeEach(async () => {
  ctx = tempContext();
  const staticDir = path.join(ctx.dir, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Phenobook</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(ctx.dir, 'secret.txt'), 'do not serve');
  host = await startWebHost({ ctx, token: TOKEN, staticDir, port: 0 });
  origin = `http://127.0.0.1:${host.port}`;
  await call('projects:create', { title: 'Existing', phenomenon: 'grokking', tags: ['t'] });
});

afterEach(async () => {
  await host.close();
  ctx.cleanup();
});

describe('browser-mode host: access control', () => {
  it('rejects requests without the token with 401', async () => {
    const res = await request('POST', '/api/op/projects:list', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('rejects a wrong token with 401, including one that differs only in length', async () => {
    for (const t of [`${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) {
      const res = await call('projects:list', {}, authed({ Authorization: `Bearer ${t}`, Origin: origin }));
      expect(res.status).toBe(401);
    }
  });

  it('rejects a foreign Origin with 403 even with the token', async () => {
    for (const o of ['http://evil.example', `http://127.0.0.1:${host.port + 1}`, 'null', `https://127.0.0.1:${host.port}`]) {
      const res = await call('projects:list', {}, authed({ Origin: o }));
      expect(res.status, o).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('rejects a foreign Host header (DNS rebinding) with 403', async () => {
    const res = await call('projects:list', {}, authed({ Host: `evil.example:${host.port}` }));
    expect(res.status).toBe(403);
  });

  it('accepts the token from the app origin, and from a non-browser client without Origin', async () => {
    expect((await call('projects:list', {})).status).toBe(200);
    const viaLocalhost = authed({ Host: `localhost:${host.port}`, Origin: `http://localhost:${host.port}` });
    expect((await call('projects:list', {}, viaLocalhost)).status).toBe(200);
    const res = await call('projects:list', {}, authed());
    expect(JSON.parse(res.body).value.map((p: { title: string }) => p.title)).toEqual(['Existing']);
  });

  it('guards the event stream too', async () => {
    const res = await request('GET', '/api/app-events');
    expect(res.status).toBe(401);
  });
});

describe('browser-mode host: malformed input changes nothing', () => {
  const cases: [string, Record<string, string>, Buffer | string, number, string][] = [
    ['wrong types', {}, JSON.stringify({ title: 7, phenomenon: true }), 400, 'title'],
    ['missing fields', {}, '{}', 400, 'title'],
    ['a 1 MB title', {}, JSON.stringify({ title: 'x'.repeat(1 << 20), phenomenon: 'other' }), 400, 'title'],
    ['non-UTF-8 bytes', {}, Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, ''],
    ['invalid JSON', {}, '{"title": ', 400, ''],
    ['a non-JSON content type', { 'Content-Type': 'text/plain' }, '{}', 400, ''],
    // Issue 18, defect 1: a prediction metric nested 5,000 deep answered 500 (stack overflow building the message).
    ['a body nested 5,000 deep', {}, `{"title":"x","phenomenon":"other","tags":${'['.repeat(5000)}${']'.repeat(5000)}}`, 400, ''],
    ['a body nested 1,000,000 deep', {}, '['.repeat(1_000_000) + ']'.repeat(1_000_000), 400, ''],
    ['brackets inside strings do not count as nesting', {}, JSON.stringify({ title: '['.repeat(100), phenomenon: 'other', tags: [1] }), 400, 'tags.0'],
  ];

  it.each(cases)('%s → %i with field errors', async (_label, headers, body, status, path) => {
    const before = snapshotTables(ctx);
    const res = await request('POST', '/api/op/projects:create', { headers: authed({ Origin: origin, ...headers }), body });
    expect(res.status).toBe(status);
    const json = JSON.parse(res.body);
    expect(json.ok).toBe(false);
    expect(json.error.code).toBe('invalid_input');
    if (path) expect(json.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('a bundle upload nested a million deep (not scanned before parsing) still gets a 400', async () => {
    const before = snapshotTables(ctx);
    const res = await request('POST', '/api/op/bundles:import', { headers: authed({ Origin: origin }), body: `{"data":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.message).toMatch(/nested too deeply/);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const before = snapshotTables(ctx);
    const res = await request('POST', '/api/op/projects:create', {
      headers: authed({ Origin: origin }),
      body: JSON.stringify({ title: 'x'.repeat(5 << 20), phenomenon: 'other' }),
    });
    expect(res.status).toBe(413);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('takes an attached file larger than other requests may be, up to the attachment limit', async () => {
    const projects = JSON.parse((await call('projects:list', {})).body) as { value: { id: string }[] };
    const projectId = projects.value[0]!.id;
    // 6 MiB of PDF: past the 4 MiB every other operation is held to.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(6 << 20, 0x20)]);
    const ok = await call('attachments:add', { projectId, name: 'big.pdf', data: pdf.toString('base64') });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { name: 'big.pdf', size: pdf.length } });
    const before = snapshotTables(ctx);
    const tooBig = await call('attachments:add', { projectId, name: 'huge.pdf', data: 'A'.repeat(28 << 20) });
    expect(tooBig.status).toBe(413);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('answers malformed request targets with 400 and keeps serving', async () => {
    for (const target of ['http://[', '//[::1', '/api/op/%E0']) {
      const res = await request('POST', target, { headers: authed({ Origin: origin }), body: '{}' });
      expect(res.status, target).toBe(400);
    }
    expect((await call('projects:list', {})).status).toBe(200);
  });

  it('refuses operations over GET', async () => {
    const res = await request('GET', '/api/op/projects:list', { headers: authed() });
    expect(res.status).toBe(404);
  });
});

describe('browser-mode host: static files and events', () => {
  it('serves the UI with security headers and never files outside the UI folder', async () => {
    const index = await request('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect((await request('GET', '/assets/app.js')).headers['content-type']).toContain('text/javascript');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await request('GET', p);
      expect(res.body, p).not.toContain('do not serve');
    }
  });

  it('pushes change events to a connected stream', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/api/app-events', headers: authed() },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            const m = /data: (.*)\n\n/.exec(buf);
            if (m) {
              resolve(m[1]!);
              req.destroy();
            }
          });
          // The stream is open once headers arrive: now make a change.
          void call('projects:create', { title: 'Pushed', phenomenon: 'other' });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const event = JSON.parse(await received);
    expect(event.type).toBe('projects:changed');
    expect(event.ids).toHaveLength(1);
  });
});
