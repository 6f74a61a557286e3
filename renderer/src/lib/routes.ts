export type Route =
  | { name: 'projects' }
  | { name: 'project'; id: string }
  | { name: 'run'; id: string }
  | { name: 'missing'; path: string };

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/projects') return { name: 'projects' };
  let m = new RegExp(`^/projects/${UUID}$`, 'i').exec(path);
  if (m) return { name: 'project', id: m[1]!.toLowerCase() };
  m = new RegExp(`^/runs/${UUID}$`, 'i').exec(path);
  if (m) return { name: 'run', id: m[1]!.toLowerCase() };
  return { name: 'missing', path };
}
