import { describe, expect, it } from 'vitest';
import { guardApiRequest, tokensEqual } from './request-guard';

const TOKEN = 'A'.repeat(43);
const PORT = 4321;
const good = { host: `127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}` };

describe('guardApiRequest', () => {
  it('lets the app page through', () => {
    expect(guardApiRequest(good, TOKEN, PORT)).toEqual({ ok: true });
    expect(guardApiRequest({ ...good, host: `localhost:${PORT}`, origin: `http://localhost:${PORT}` }, TOKEN, PORT).ok).toBe(true);
    expect(guardApiRequest({ ...good, origin: undefined }, TOKEN, PORT).ok).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['empty', ''],
    ['no scheme', TOKEN],
    ['wrong scheme', `Basic ${TOKEN}`],
    ['lower-case scheme', `bearer ${TOKEN}`],
    ['extra space', `Bearer  ${TOKEN}`],
    ['trailing data', `Bearer ${TOKEN} x`],
    ['prefix of the token', `Bearer ${TOKEN.slice(0, 20)}`],
    ['token plus one', `Bearer ${TOKEN}A`],
    ['newline injection', `Bearer ${TOKEN}\nX: y`],
  ])('401 for %s', (_label, authorization) => {
    expect(guardApiRequest({ ...good, authorization }, TOKEN, PORT)).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ['another site', 'http://evil.example'],
    ['look-alike host', `http://127.0.0.1.evil.example:${PORT}`],
    ['credentials in origin', `http://user@127.0.0.1:${PORT}`],
    ['another port', `http://127.0.0.1:${PORT + 1}`],
    ['https scheme', `https://127.0.0.1:${PORT}`],
    ['opaque origin', 'null'],
    ['trailing slash', `http://127.0.0.1:${PORT}/`],
    ['file page', 'file://'],
  ])('403 for an Origin from %s', (_label, origin) => {
    expect(guardApiRequest({ ...good, origin }, TOKEN, PORT)).toMatchObject({ ok: false, status: 403 });
  });

  it('accepts a tunnelled port (ssh -L 9000:127.0.0.1:PORT) when Origin matches the Host', () => {
    const tunnel = { ...good, host: 'localhost:9000', origin: 'http://localhost:9000' };
    expect(guardApiRequest(tunnel, TOKEN, PORT).ok).toBe(true);
    expect(guardApiRequest({ ...tunnel, origin: `http://localhost:${PORT}` }, TOKEN, PORT)).toMatchObject({ status: 403 });
  });

  it.each([
    ['rebinding name', `evil.example:${PORT}`],
    ['look-alike name', `127.0.0.1.evil.example:${PORT}`],
    ['missing port', '127.0.0.1'],
    ['missing', undefined],
  ])('403 for a Host header that is a %s', (_label, host) => {
    expect(guardApiRequest({ ...good, host }, TOKEN, PORT)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('tokensEqual', () => {
  it('compares whole tokens only', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
  });
});
