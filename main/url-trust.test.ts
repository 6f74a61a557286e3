import { describe, expect, it } from 'vitest';
import { isAppUrl, isSafeExternalUrl, isTrustedSender } from './url-trust';

const APP = 'file:///opt/phenobook/out/renderer/index.html';

describe('isAppUrl (packaged file:// page)', () => {
  it.each([APP, `${APP}#/projects/1`, `${APP}?x=1#/`])('trusts %s', (url) => {
    expect(isAppUrl(url, APP)).toBe(true);
  });

  it.each([
    undefined,
    null,
    '',
    'not a url',
    'file:///etc/passwd',
    'file:///opt/phenobook/out/renderer/other.html',
    'file:///opt/phenobook/out/renderer/index.html/../../../../etc/passwd',
    'file://remote-host/opt/phenobook/out/renderer/index.html',
    'https://example.com/',
    'http://localhost:5173/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'app://user@phenobook',
  ])('does not trust %s', (url) => {
    expect(isAppUrl(url, APP)).toBe(false);
  });
});

describe('isAppUrl (dev server)', () => {
  const DEV = 'http://localhost:5173/';
  it('trusts the dev server origin and nothing that only looks like it', () => {
    expect(isAppUrl('http://localhost:5173/#/projects', DEV)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', DEV)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', DEV)).toBe(false);
    expect(isAppUrl('http://user:pw@localhost:5173/', DEV)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', DEV)).toBe(false);
  });
  it('never trusts a remote http origin as an app origin', () => {
    expect(isAppUrl('http://evil.example/', 'http://evil.example/')).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it.each(['https://arxiv.org/abs/2411.00247', 'https://github.com/greydanus/mnist1d'])('opens %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'http://arxiv.org/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'https://user:pass@example.com/',
    'https://user@example.com/',
    'https://',
    'https://exa mple.com/',
    '',
    'ms-settings:',
    'vbscript:msgbox',
  ])('refuses %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
});

describe('isAppUrl (Windows file URLs)', () => {
  const WIN = 'file:///C:/Users/Ada%20L/phenobook/out/renderer/index.html';
  it('trusts the same page whatever the drive letter case or escaping', () => {
    expect(isAppUrl('file:///c:/Users/Ada%20L/phenobook/out/renderer/index.html#/projects', WIN)).toBe(true);
    expect(isAppUrl('file:///C:/Users/Ada L/phenobook/out/renderer/index.html', WIN)).toBe(true);
  });
  it('still tells other files and folders apart', () => {
    expect(isAppUrl('file:///D:/Users/Ada%20L/phenobook/out/renderer/index.html', WIN)).toBe(false);
    expect(isAppUrl('file:///c:/Users/Ada%20L/phenobook/out/renderer/other.html', WIN)).toBe(false);
    expect(isAppUrl('file:///c:/Users/Ada%2FL/phenobook/out/renderer/index.html', WIN)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const ok = { fromAppWindow: true, isMainFrame: true, frameUrl: `${APP}#/projects` };
  it('trusts the main frame of an app window on the app page', () => {
    expect(isTrustedSender(ok, APP)).toBe(true);
  });
  it.each([
    ['another webContents', { ...ok, fromAppWindow: false }],
    ['a subframe', { ...ok, isMainFrame: false }],
    ['another page', { ...ok, frameUrl: 'file:///etc/passwd' }],
    ['no frame', { ...ok, frameUrl: undefined }],
  ])('refuses %s', (_name, sender) => {
    expect(isTrustedSender(sender, APP)).toBe(false);
  });
});
