import type Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppInfo, HostMode } from '../contract/app';
import type { BackendStatus } from '../contract/operations';
import { closeDatabase, DATABASE_FILE, openDatabase, type OpenOptions } from '../db/open-database';
import { ChecklistRepo } from '../db/checklist.repo';
import { AttachmentsRepo } from '../db/attachments.repo';
import { BundleRepo } from '../db/bundle.repo';
import { ConfoundersRepo } from '../db/confounders.repo';
import { EvidenceRepo } from '../db/evidence.repo';
import { FiguresRepo } from '../db/figures.repo';
import { PlotsRepo } from '../db/plots.repo';
import { MetricRolesRepo } from '../db/metric-roles.repo';
import { HypothesesRepo } from '../db/hypotheses.repo';
import { NotesRepo } from '../db/notes.repo';
import { SearchRepo } from '../db/search.repo';
import { SweepsRepo } from '../db/sweeps.repo';
import { SlurmRepo } from '../db/slurm.repo';
import { ProjectsRepo } from '../db/projects.repo';
import { RunsRepo } from '../db/runs.repo';
import { SettingsRepo } from '../db/settings.repo';
import { EXPERIMENTS } from '../experiments/registry';
import type { ExperimentDefinition } from '../experiments/types';
import type { SpawnTrainer } from '../trainer/protocol';
import { probeBackend } from './backend-probe';
import { AttachmentsService } from './attachments.service';
import { ChecklistService } from './checklist.service';
import { EventBus } from './event-bus';
import { BundleService } from './bundle.service';
import { ConfounderService } from './confounder.service';
import { ImportsService } from './imports.service';
import { ExternalRunsService } from './external-runs.service';
import { OutsideWritesWatcher, type OutsideWritesOptions } from './outside-writes';
import { ChangesRepo } from '../db/changes.repo';
import { FiguresService } from './figures.service';
import { PlotsService } from './plots.service';
import { MetricRolesService } from './metric-roles.service';
import { HypothesesService } from './hypotheses.service';
import { NotebookService } from './notebook.service';
import { NotesService } from './notes.service';
import { ProjectsService, systemClock, type Clock } from './projects.service';
import { RunService } from './run.service';
import { configDescriber, summaryLabel } from './run-label';
import { SweepService } from './sweep.service';
import { SlurmSweepService } from './slurm/slurm-sweep.service';
import { commandScheduler, type Scheduler } from './slurm/scheduler';
import { APP_VERSION } from './version';
import { runOffThread } from './offthread';
import { UserExperiments } from './user-experiments';
import { defaultExperimentsDir } from '../experiments/user/files';

/** Everything a host needs: the open database, the services over it, and the event bus. */
export interface AppContext {
  db: Database.Database;
  info: AppInfo;
  events: EventBus;
  projects: ProjectsService;
  checklist: ChecklistService;
  notes: NotesService;
  hypotheses: HypothesesService;
  notebook: NotebookService;
  runs: RunService;
  sweeps: SweepService;
  /** Sweeps as SLURM job arrays: submit, status, collect, retry. */
  slurm: SlurmSweepService;
  figures: FiguresService;
  /** The plot builder's reads: a metric reduced to one number per run. */
  plots: PlotsService;
  /** Which of a project's metric names play train/test loss and accuracy. */
  metricRoles: MetricRolesService;
  attachments: AttachmentsService;
  confounders: ConfounderService;
  bundles: BundleService;
  /** Runs trained outside Phenobook: imports and live `phenobook log` runs. */
  externalRuns: ExternalRunsService;
  /** The app's import of runs from a path on the host: preview, then commit (off the host thread). */
  imports: ImportsService;
  /** Announces other processes' writes as events (hosts only; null in one-shot tools). */
  outsideWrites: OutsideWritesWatcher | null;
  /** The researcher's experiment files (describe them with refresh(); watch() follows changes). */
  userExperiments: UserExperiments;
  /** Which backend a run would use now (probed once in a trainer process, then cached). */
  backendStatus(refresh?: boolean): Promise<BackendStatus>;
  close(): void;
}

/** "At once" before the user picks: every core of a CPU-only machine (the setting allows up to 16). */
export const defaultParallelRuns = (): number => Math.max(1, Math.min(16, os.availableParallelism()));

export interface ContextOptions extends OpenOptions {
  dataDir: string;
  mode: HostMode;
  clock?: Clock;
  /** Starts trainer processes; without it runs are stored and queued but never trained. */
  spawnTrainer?: SpawnTrainer;
  experiments?: ReadonlyMap<string, ExperimentDefinition>;
  /**
   * Trainer processes at once when the user never chose. Without it: one per core (at most 16) on a
   * CPU-only machine, one once the backend probe has found a GPU (trainers would share it).
   */
  defaultParallel?: number;
  /** Trainer processes at once for this context only, whatever the stored setting says. */
  parallelOverride?: number;
  /** How SLURM is reached (sbatch, squeue, sacct); tests pass a fake. */
  scheduler?: Scheduler;
  /** Folders of experiment files besides `<data dir>/experiments` (`--experiments DIR`). */
  experimentDirs?: readonly string[];
  /** Single experiment files to read as well (`phenobook run ./my.ts`). */
  experimentFiles?: readonly string[];
  /** Read experiment files at once and follow changes (default: as `recover`). */
  watchExperiments?: boolean;
  /** Starts the trainer that describes experiment files where runs are not trained here (default spawnTrainer). */
  describeTrainer?: SpawnTrainer;
  /** Mark runs left running by a dead host as interrupted (hosts do; one-shot tools may not). */
  recover?: boolean;
  /** Bundle imports, run imports and confounder analyses on a worker thread (default); false runs them in-thread. */
  offThread?: boolean;
  /** Follow what other processes write to the database and announce it as events (default: as `recover`, i.e. hosts). */
  watchOutsideWrites?: boolean | OutsideWritesOptions;
}

export function createAppContext(options: ContextOptions): AppContext {
  const databasePath = path.join(options.dataDir, DATABASE_FILE);
  const opened = openDatabase(databasePath, options);
  const clock = options.clock ?? systemClock;
  const offThread = options.offThread ?? true;
  const events = new EventBus();
  const projectsRepo = new ProjectsRepo(opened.db);
  const projects = new ProjectsService(projectsRepo, events, clock);
  // A live map: the researcher's experiments enter and leave it as their files change.
  const experiments = new Map(options.experiments ?? EXPERIMENTS);
  const userExperiments = new UserExperiments({
    dirs: [
      defaultExperimentsDir(options.dataDir),
      ...(options.experimentDirs ?? []).map((d) => path.resolve(d)),
      // PHENOBOOK_EXPERIMENT_DIRS (separated like PATH) adds folders in every mode, desktop and browser included.
      ...(process.env.PHENOBOOK_EXPERIMENT_DIRS ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(d)),
    ],
    files: options.experimentFiles,
    spawn: options.describeTrainer ?? options.spawnTrainer,
    experiments,
    onChange: () => events.emit({ type: 'experiments:changed' }),
  });
  const describeConfig = configDescriber(experiments);
  const confoundersRepo = new ConfoundersRepo(opened.db);
  const runsRepo = new RunsRepo(opened.db, (r) => summaryLabel(r, describeConfig(r.experiment, r.preset, r.config, r.sweepKeys)));
  const notesRepo = new NotesRepo(opened.db);
  const hypothesesRepo = new HypothesesRepo(opened.db);
  const attachmentsRepo = new AttachmentsRepo(opened.db);
  const notebook = new NotebookService({
    evidence: new EvidenceRepo(opened.db),
    search: new SearchRepo(opened.db),
    projects: projectsRepo,
    runs: runsRepo,
    notes: notesRepo,
    hypothesesRepo,
    figures: new FiguresRepo(opened.db),
    confounders: confoundersRepo,
    attachments: attachmentsRepo,
    events,
    clock,
    appVersion: APP_VERSION,
  });
  const checklist = new ChecklistService(new ChecklistRepo(opened.db), projectsRepo, events, clock, (id) => notebook.evidence(id));
  const figures = new FiguresService(new FiguresRepo(opened.db), notesRepo, projectsRepo, events, clock);
  const attachments = new AttachmentsService(attachmentsRepo, notesRepo, projectsRepo, events, clock);
  const notes = new NotesService(notesRepo, projectsRepo, runsRepo, events, clock);
  const hypotheses = new HypothesesService(hypothesesRepo, projectsRepo, runsRepo, events, clock, (id) => confoundersRepo.ofHypothesis(id), experiments);
  const metricRoles = new MetricRolesService(new MetricRolesRepo(opened.db), projectsRepo, events);
  const roleMap = (projectId: string | null) => metricRoles.map(projectId);
  /** Set once the backend probe finds a GPU: then one trainer at once is the default. */
  let gpuFound = false;
  const runs = new RunService({
    runs: runsRepo,
    projects: projectsRepo,
    settings: new SettingsRepo(opened.db),
    events,
    experiments,
    spawn: options.spawnTrainer,
    onStaleExperiment: () => void userExperiments.refresh(),
    appVersion: APP_VERSION,
    clock,
    defaultParallel: options.defaultParallel ?? (() => (gpuFound ? 1 : defaultParallelRuns())),
    parallelOverride: options.parallelOverride,
    roleMap,
  });
  const sweepsRepo = new SweepsRepo(opened.db);
  const slurmRepo = new SlurmRepo(opened.db);
  const sweeps = new SweepService({ sweeps: sweepsRepo, runsRepo, runs, projects: projectsRepo, events, clock, slurm: slurmRepo, roleMap });
  const slurm = new SlurmSweepService({ sweeps, sweepsRepo, slurm: slurmRepo, clock, scheduler: options.scheduler ?? commandScheduler() });
  const confounders = new ConfounderService({
    repo: confoundersRepo,
    runsRepo,
    sweeps: sweepsRepo,
    runs,
    projects: projectsRepo,
    hypotheses: hypothesesRepo,
    events,
    clock,
    compute: offThread ? (settings) => runOffThread({ kind: 'confounders', databasePath, settings }) : undefined,
  });
  // Hosts (which recover) read the researcher's experiment files now and whenever they change; one-shot tools refresh when they need them.
  if (options.watchExperiments ?? options.recover ?? true) {
    // The folder is created so that it can be watched from the start (a first file dropped in is seen).
    try {
      fs.mkdirSync(defaultExperimentsDir(options.dataDir), { recursive: true });
    } catch {
      // A read-only data folder: files there are still read at the next refresh.
    }
    void userExperiments.refresh();
    userExperiments.watch();
  }
  if (options.recover ?? true) {
    runs.recoverInterrupted();
    sweeps.resume();
  }
  // After recovery: runs it just marked interrupted were this connection's own writes.
  const watchOutside = options.watchOutsideWrites ?? options.recover ?? true;
  const outsideWrites = watchOutside
    ? new OutsideWritesWatcher(new ChangesRepo(opened.db), events, typeof watchOutside === 'object' ? watchOutside : {})
    : null;
  outsideWrites?.start();

  const externalRuns = new ExternalRunsService({ runs: runsRepo, projects: projectsRepo, events, clock, appVersion: APP_VERSION });

  let probe: Promise<BackendStatus> | undefined;
  const backendStatus = (refresh = false): Promise<BackendStatus> => {
    if (!options.spawnTrainer) {
      return Promise.resolve({ backend: null, error: 'This host does not train', checkedAt: clock() });
    }
    if (!probe || refresh) {
      const spawn = options.spawnTrainer;
      probe = probeBackend(spawn).then((r) => {
        gpuFound = r.backend?.gpu === true;
        return { ...r, checkedAt: clock() };
      });
    }
    return probe;
  };

  return {
    db: opened.db,
    events,
    projects,
    checklist,
    notes,
    hypotheses,
    notebook,
    runs,
    sweeps,
    slurm,
    figures,
    plots: new PlotsService(new PlotsRepo(opened.db), projectsRepo),
    metricRoles,
    attachments,
    confounders,
    bundles: new BundleService({
      repo: new BundleRepo(opened.db),
      events,
      clock,
      appVersion: APP_VERSION,
      schemaVersion: opened.schemaVersion,
      worker: offThread ? { databasePath } : undefined,
    }),
    outsideWrites,
    externalRuns,
    imports: new ImportsService({
      runs: runsRepo,
      projects: projectsRepo,
      externalRuns,
      events,
      clock,
      appVersion: APP_VERSION,
      worker: offThread ? { databasePath } : undefined,
    }),
    userExperiments,
    backendStatus,
    info: {
      version: APP_VERSION,
      mode: options.mode,
      dataDir: options.dataDir,
      databasePath,
      schemaVersion: opened.schemaVersion,
      hostname: os.hostname(),
      cpus: os.availableParallelism(),
    },
    close: () => {
      outsideWrites?.stop();
      userExperiments.unwatch();
      runs.shutdown();
      closeDatabase(opened.db);
    },
  };
}
