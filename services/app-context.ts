import type Database from 'better-sqlite3';
import type { AppInfo, HostMode } from '../contract/app';
import { closeDatabase, DATABASE_FILE, openDatabase, type OpenOptions } from '../db/open-database';
import { ProjectsRepo } from '../db/projects.repo';
import path from 'node:path';
import { EventBus } from './event-bus';
import { ProjectsService, type Clock } from './projects.service';
import { APP_VERSION } from './version';

/** Everything a host needs: the open database, the services over it, and the event bus. */
export interface AppContext {
  db: Database.Database;
  info: AppInfo;
  events: EventBus;
  projects: ProjectsService;
  close(): void;
}

export interface ContextOptions extends OpenOptions {
  dataDir: string;
  mode: HostMode;
  clock?: Clock;
}

export function createAppContext(options: ContextOptions): AppContext {
  const databasePath = path.join(options.dataDir, DATABASE_FILE);
  const opened = openDatabase(databasePath, options);
  const events = new EventBus();
  const projects = new ProjectsService(new ProjectsRepo(opened.db), events, options.clock);
  return {
    db: opened.db,
    events,
    projects,
    info: {
      version: APP_VERSION,
      mode: options.mode,
      dataDir: options.dataDir,
      databasePath,
      schemaVersion: opened.schemaVersion,
    },
    close: () => closeDatabase(opened.db),
  };
}
