/**
 * The only module that knows which mode the renderer runs in: the Electron preload's
 * `window.api`, or the browser-mode host over HTTP with the per-launch token.
 */
import { buildApi, type Api } from '../../../contract/api';
import type { AppEvent } from '../../../contract/events';
import type { OpName } from '../../../contract/names';
import { fail, type Result } from '../../../contract/result';

declare global {
  interface Window {
    api?: Api;
  }
}

const TOKEN_KEY = 'phenobook.token';
type AuthListener = (reason: string) => void;
const authListeners = new Set<AuthListener>();

/** Called when the browser-mode host rejects our token (it restarted, or the link was wrong). */
export function onAuthLost(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

/** Takes `#token=…` from the URL into this tab's session storage and removes it from the address bar. */
export function captureToken(): string | null {
  const match = /^#token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    // replaceState fires no hashchange: tell the router the route is now "#/".
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A new link pasted into a tab that already shows Phenobook (say after a restart, on the same
 * port) changes only the address's hash, which reloads nothing: take its token and start afresh.
 */
export function reloadOnPastedLink(): void {
  window.addEventListener('hashchange', () => {
    if (!/^#token=[A-Za-z0-9_-]+/.test(location.hash)) return;
    captureToken();
    location.reload();
  });
}

function httpApi(token: string): Api {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const lost = (status: number) => {
    const reason = status === 401 ? 'The Phenobook host did not accept this page’s token.' : 'The host refused this request.';
    for (const l of authListeners) l(reason);
  };

  async function invoke(op: OpName, input: unknown): Promise<Result<unknown>> {
    let res: Response;
    try {
      res = await fetch(`/api/op/${op}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
    } catch {
      return fail('unavailable', 'The Phenobook host is not reachable. Is `npm start` still running?');
    }
    if (res.status === 401 || res.status === 403) lost(res.status);
    try {
      return (await res.json()) as Result<unknown>;
    } catch {
      return fail('internal', `Unexpected response (HTTP ${res.status})`);
    }
  }

  const listeners = new Set<(e: AppEvent) => void>();
  let streaming = false;

  async function stream(): Promise<void> {
    let delay = 500;
    while (listeners.size > 0) {
      try {
        const res = await fetch('/api/app-events', { headers: { Authorization: headers.Authorization } });
        if (res.status === 401 || res.status === 403) return lost(res.status);
        if (!res.body) throw new Error('no body');
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data) {
              const event = JSON.parse(data.slice(6)) as AppEvent;
              for (const l of listeners) l(event);
            }
          }
        }
      } catch {
        // Host restarting or unreachable: retry with backoff.
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  return buildApi(invoke, (listener) => {
    listeners.add(listener);
    if (!streaming) {
      streaming = true;
      void stream().finally(() => (streaming = false));
    }
    return () => listeners.delete(listener);
  });
}

export type Connection = { api: Api; mode: 'desktop' | 'browser' } | { api: null; reason: string };

export function connect(): Connection {
  if (window.api) return { api: window.api, mode: 'desktop' };
  const token = captureToken();
  if (!token) {
    return { api: null, reason: 'This page needs the link that `npm start` printed: it carries a per-launch access token.' };
  }
  return { api: httpApi(token), mode: 'browser' };
}
