export const PROJECT_TABS = ['overview', 'checklist', 'runs', 'hypotheses', 'notes', 'confounders', 'plots'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

export type Route =
  | { name: 'projects' }
  /** `item`: a note or hypothesis id, or a checklist question key, to open within the tab. */
  | { name: 'project'; id: string; tab: ProjectTab; item: string | null }
  | { name: 'run'; id: string }
  | { name: 'sweep'; id: string }
  | { name: 'figure'; id: string }
  | { name: 'compare'; ids: string[] }
  | { name: 'missing'; path: string };

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/projects') return { name: 'projects' };
  let m = new RegExp(`^/projects/${UUID}(?:/(${PROJECT_TABS.join('|')})(?:/([A-Za-z0-9.-]{1,100}))?)?$`, 'i').exec(path);
  if (m) {
    return { name: 'project', id: m[1]!.toLowerCase(), tab: (m[2]?.toLowerCase() ?? 'overview') as ProjectTab, item: m[3] ?? null };
  }
  m = new RegExp(`^/runs/${UUID}$`, 'i').exec(path);
  if (m) return { name: 'run', id: m[1]!.toLowerCase() };
  m = new RegExp(`^/sweeps/${UUID}$`, 'i').exec(path);
  if (m) return { name: 'sweep', id: m[1]!.toLowerCase() };
  m = new RegExp(`^/compare/(${UUID}(?:,${UUID}){0,199})$`, 'i').exec(path);
  if (m) return { name: 'compare', ids: [...new Set(m[1]!.toLowerCase().split(','))] };
  m = new RegExp(`^/figures/${UUID}$`, 'i').exec(path);
  if (m) return { name: 'figure', id: m[1]!.toLowerCase() };
  return { name: 'missing', path };
}

export function projectPath(id: string, tab: ProjectTab = 'overview', item?: string | null): string {
  if (tab === 'overview' && !item) return `/projects/${id}`;
  return `/projects/${id}/${tab}${item ? `/${item}` : ''}`;
}
