export type Route = { name: 'projects' } | { name: 'project'; id: string } | { name: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/projects') return { name: 'projects' };
  const m = /^\/projects\/([0-9a-f-]{36})$/i.exec(path);
  if (m) return { name: 'project', id: m[1]!.toLowerCase() };
  return { name: 'missing', path };
}
