export type HostMode = 'desktop' | 'browser';

export interface AppInfo {
  version: string;
  mode: HostMode;
  dataDir: string;
  databasePath: string;
  schemaVersion: number;
  hostname: string;
  /** CPU cores available to trainer processes. */
  cpus: number;
}
