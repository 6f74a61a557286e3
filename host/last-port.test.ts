import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAST_PORT_FILE, listenRemembering, readLastPort, writeLastPort } from './last-port';

const servers: http.Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function listen(port: number): Promise<number> {
  const server = http.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
const close = (port: number) => {
  const i = servers.findIndex((s) => (s.address() as AddressInfo).port === port);
  return new Promise((r) => servers.splice(i, 1)[0]!.close(r));
};

describe('browser mode remembers its port', () => {
  it('reuses the last port when it is free, takes any free one when it is not, and --port wins', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-port-'));
    dirs.push(dir);
    expect(readLastPort(dir)).toBeNull();

    const first = await listenRemembering(dir, undefined, listen);
    expect(first.fellBackFrom).toBeNull();
    writeLastPort(dir, first.host);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LAST_PORT_FILE), 'utf8'))).toEqual({ port: first.host });
    await close(first.host);

    // A restart: the same port, so a bookmark still reaches it.
    const again = await listenRemembering(dir, undefined, listen);
    expect(again).toEqual({ host: first.host, fellBackFrom: null });

    // Still taken (by the run above): another free port, saying so.
    const busy = await listenRemembering(dir, undefined, listen);
    expect(busy.fellBackFrom).toBe(first.host);
    expect(busy.host).not.toBe(first.host);

    // An explicit --port 0 asks for any free port, whatever was remembered.
    const explicit = await listenRemembering(dir, 0, listen);
    expect(explicit.fellBackFrom).toBeNull();
    expect(explicit.host).not.toBe(first.host);
  });

  it('ignores a damaged file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-port-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, LAST_PORT_FILE), '{"port": "eighty"}');
    expect(readLastPort(dir)).toBeNull();
  });
});
