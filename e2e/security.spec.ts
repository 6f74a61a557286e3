// The browser-mode host's HTTP surface, probed the way another page or program on this machine
// could: without the token, from a foreign origin, under a foreign Host name, and with malformed
// bodies. None of it may reach the database.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import { expect, newDataDir, startHost, test, type Host } from './host';

interface RawResponse {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string; issues?: { path: string; message: string }[] } };
}

/** One request with full control over headers (Host included) and body bytes. */
function raw(
  host: Host,
  op: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; method?: string; path?: string } = {},
): Promise<RawResponse> {
  const body = opts.body ?? '{}';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? `/api/op/${op}`,
        headers: { 'Content-Length': Buffer.byteLength(body), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawResponse['body'] });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const auth = (host: Host) => ({ Authorization: `Bearer ${host.token}` });
const json = { 'Content-Type': 'application/json' };

test.describe('request guard', () => {
  test('no token → 401', async ({ host }) => {
    const res = await raw(host, 'projects:list', { headers: { ...json, Origin: host.origin } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  test('a wrong token → 401, for operations and the event stream', async ({ host }) => {
    const wrong = { Authorization: `Bearer ${'A'.repeat(43)}` };
    expect((await raw(host, 'projects:list', { headers: { ...json, ...wrong } })).status).toBe(401);
    expect((await raw(host, '', { method: 'GET', path: '/api/app-events', body: '', headers: wrong })).status).toBe(401);
    expect((await raw(host, '', { method: 'GET', path: '/api/app-events', body: '' })).status).toBe(401);
  });

  test('the token from a foreign Origin → 403', async ({ host }) => {
    const res = await raw(host, 'projects:list', { headers: { ...json, ...auth(host), Origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A lookalike port or scheme is foreign too.
    for (const origin of [`http://127.0.0.1:${host.port + 1}`, `https://127.0.0.1:${host.port}`, 'null']) {
      expect((await raw(host, 'projects:list', { headers: { ...json, ...auth(host), Origin: origin } })).status).toBe(403);
    }
  });

  test('the token under a foreign Host name (DNS rebinding) → 403', async ({ host }) => {
    const res = await raw(host, 'projects:list', { headers: { ...json, ...auth(host), Host: `evil.example:${host.port}` } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  test('the token from the app origin → 200', async ({ host }) => {
    // A browser's Origin names the host it loaded the page from, 127.0.0.1 or localhost.
    for (const name of ['127.0.0.1', 'localhost']) {
      const headers = { ...json, ...auth(host), Host: `${name}:${host.port}`, Origin: `http://${name}:${host.port}` };
      const res = await raw(host, 'projects:list', { headers });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, value: [] });
    }
    // A non-browser client (no Origin header at all) with the token is allowed.
    expect((await raw(host, 'projects:list', { headers: { ...json, ...auth(host) } })).status).toBe(200);
  });
});

interface BadCase {
  name: string;
  op?: string;
  body: string | Buffer;
  contentType?: string;
  status?: number;
  /** Issue paths that must be reported ('' = the body as a whole). */
  paths?: string[];
  /** Text the error message must contain. */
  message?: string;
}

const MB = 1024 * 1024;
const BAD: BadCase[] = [
  {
    name: 'wrong types',
    body: JSON.stringify({ title: 42, phenomenon: true, question: ['q'], tags: 'a,b' }),
    paths: ['title', 'phenomenon', 'question', 'tags'],
  },
  { name: 'missing fields', body: '{}', paths: ['title', 'phenomenon'] },
  { name: 'wrong tag type', body: JSON.stringify({ title: 't', phenomenon: 'other', tags: ['ok', 7] }), paths: ['tags.1'] },
  {
    name: 'unknown phenomenon',
    body: JSON.stringify({ title: 't', phenomenon: 'memorisation' }),
    paths: ['phenomenon'],
    message: 'grokking, double-descent, lottery-ticket, other',
  },
  {
    name: 'a 1 MB title',
    body: JSON.stringify({ title: 'x'.repeat(MB), phenomenon: 'grokking' }),
    paths: ['title'],
    message: 'at most 200 characters',
  },
  {
    name: 'a lone surrogate (broken Unicode) in the title',
    body: '{"title":"bad \\ud800 text","phenomenon":"grokking"}',
    paths: ['title'],
  },
  { name: 'a control character in the title', body: '{"title":"bell\\u0007","phenomenon":"grokking"}', paths: ['title'] },
  {
    name: 'non-UTF-8 bytes in the body',
    body: Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('","phenomenon":"grokking"}')]),
    paths: [''],
    message: 'not valid UTF-8',
  },
  { name: 'invalid JSON', body: '{"title": "half an object", ', paths: [''], message: 'not valid JSON' },
  { name: 'JSON null', body: 'null', paths: [''] },
  { name: 'a JSON array', body: '[{"title":"t","phenomenon":"other"}]', paths: [''] },
  {
    name: 'an unknown field',
    body: JSON.stringify({ title: 't', phenomenon: 'other', owner: 'mallory' }),
    paths: [''],
    message: 'owner',
  },
  { name: 'a non-UUID id on update', op: 'projects:update', body: JSON.stringify({ id: '1 OR 1=1', title: 'x' }), paths: ['id'] },
  {
    name: 'a non-boolean archived flag',
    op: 'projects:setArchived',
    body: JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', archived: 'yes' }),
    paths: ['archived'],
  },
  { name: 'an unknown sort', op: 'projects:list', body: JSON.stringify({ sort: 'random' }), paths: ['sort'] },
  { name: 'a text/plain body', body: JSON.stringify({ title: 't', phenomenon: 'other' }), contentType: 'text/plain' },
  {
    name: 'a body over 4 MB',
    body: JSON.stringify({ title: 'x'.repeat(5 * MB), phenomenon: 'grokking' }),
    status: 413,
  },
];

test.describe('malformed payloads', () => {
  test.describe.configure({ mode: 'serial' });
  let host: Host;
  let dataDir: string;
  let before: unknown;
  const counts = (db: Database.Database) => ({
    projects: db.prepare('SELECT count(*) FROM projects').pluck().get(),
    project_tags: db.prepare('SELECT count(*) FROM project_tags').pluck().get(),
  });

  test.beforeAll(async () => {
    dataDir = newDataDir();
    host = await startHost(dataDir);
    for (const p of [
      { title: 'Grokking on modular addition', phenomenon: 'grokking', tags: ['weight-decay', 'mlp'] },
      { title: 'Double descent under label noise', phenomenon: 'double-descent', tags: ['mnist-1d'] },
    ]) {
      expect((await host.op('projects:create', p)).status).toBe(200);
    }
    before = (await host.op('projects:list', { filter: 'all' })).body;
  });

  test.afterAll(async () => {
    await host?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  for (const c of BAD) {
    test(`${c.name} → ${c.status ?? 400}`, async () => {
      const res = await raw(host, c.op ?? 'projects:create', {
        headers: { ...auth(host), Origin: host.origin, 'Content-Type': c.contentType ?? 'application/json' },
        body: c.body,
      });
      expect(res.status).toBe(c.status ?? 400);
      expect(res.body.ok).toBe(false);
      expect(res.body.error?.code).toBe(c.status === 413 ? 'payload_too_large' : 'invalid_input');
      if (c.paths) {
        const paths = (res.body.error?.issues ?? []).map((i) => i.path);
        for (const p of c.paths) expect(paths, JSON.stringify(res.body.error)).toContain(p);
        expect(res.body.error?.issues?.every((i) => i.message.length > 0)).toBe(true);
      }
      if (c.message) expect(res.body.error?.message).toContain(c.message);
      // The error stays small: a 1 MB input is not echoed back.
      expect(JSON.stringify(res.body).length).toBeLessThan(4096);
    });
  }

  test('the database is unchanged, over the API and in the file', async () => {
    expect((await host.op('projects:list', { filter: 'all' })).body).toEqual(before);
    await host.stop();
    const db = new Database(host.databasePath, { readonly: true, fileMustExist: true });
    try {
      expect(counts(db)).toEqual({ projects: 2, project_tags: 3 });
      expect(db.prepare('SELECT title FROM projects ORDER BY title').pluck().all()).toEqual([
        'Double descent under label noise',
        'Grokking on modular addition',
      ]);
    } finally {
      db.close();
    }
    // A clean shutdown checkpointed the WAL into the main file.
    expect(fs.existsSync(`${host.databasePath}-wal`) ? fs.statSync(`${host.databasePath}-wal`).size : 0).toBe(0);
  });
});
