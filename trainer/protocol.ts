import type { BackendReport, BackendName, ExperimentInfo, MetricPoint } from '../contract/runs';

/** A researcher's experiment file a run trains: its path, and the SHA-256 it must still have (or the exact source to run). */
export interface ExperimentFileRef {
  path: string;
  /** Refuse to run when the file's bytes no longer hash to this (a SLURM task, a re-run). */
  sha256?: string;
  /** Run this source as if it were the file at `path` (a re-run of stored source). */
  source?: string;
}

/** What a trainer read off one experiment file (host side never runs the file). */
export interface DescribedFile {
  path: string;
  sha256: string;
  error?: { message: string; file: string; line?: number; column?: number };
  experiment?: {
    info: ExperimentInfo;
    /** The config schema as JSON Schema (input side), for the host's field checks. */
    jsonSchema: Record<string, unknown>;
    metrics: Record<string, string>;
    /** totalSteps of each preset, parsed. */
    presetSteps: Record<string, number>;
  };
}

/** Host → trainer. One trainer process trains one run. */
export type HostToTrainer =
  | { type: 'start'; runId: string; experiment: string; config: Record<string, unknown>; backend?: BackendName; file?: ExperimentFileRef }
  /** Load these experiment files and describe them (or say why they do not load). */
  | { type: 'describe'; paths: string[] }
  | { type: 'cancel' }
  /** Only select a backend and report it (for `doctor` and the app's backend badge). */
  | { type: 'probe'; backend?: BackendName };

/** Trainer → host. Progress and metrics are throttled by the trainer (at most a few per second). */
export type TrainerToHost =
  | { type: 'started'; runId: string; backend: BackendReport }
  /** longestBusyMs: the longest the trainer's loop has gone without reading messages (sizes the cancel grace). */
  | { type: 'progress'; runId: string; step: number; total: number; trainSeconds: number; longestBusyMs?: number }
  | { type: 'metrics'; runId: string; points: MetricPoint[] }
  | {
      type: 'done';
      runId: string;
      status: 'done' | 'cancelled' | 'diverged';
      stepsCompleted: number;
      trainSeconds: number;
      wallSeconds: number;
      dataHash: string;
      reason?: string;
    }
  | { type: 'failed'; runId: string; reason: string }
  | { type: 'probed'; backend: BackendReport | null; error?: string }
  | { type: 'described'; files: DescribedFile[] };

/** The message port a trainer talks through: process IPC (fork) or Electron's parentPort. */
export interface TrainerPort {
  send(message: TrainerToHost): void;
  onMessage(listener: (message: HostToTrainer) => void): void;
}

/** The host's handle on one trainer process, whatever spawned it. */
export interface TrainerHandle {
  readonly pid: number | undefined;
  send(message: HostToTrainer): void;
  onMessage(listener: (message: TrainerToHost) => void): void;
  /**
   * Called once when the process ends: exit code, or the signal that killed it; `cause` when the
   * spawner knows why (e.g. 'out-of-memory' when V8 reported its heap exhausted).
   */
  onExit(listener: (code: number | null, signal: string | null, cause?: 'out-of-memory') => void): void;
  kill(): void;
}

export type SpawnTrainer = () => TrainerHandle;
