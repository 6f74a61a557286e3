/** Events pushed from host to renderer (IPC in desktop mode, an event stream in browser mode). */
export type AppEvent =
  | { type: 'projects:changed'; ids: string[] }
  | { type: 'host:shutdown' };
