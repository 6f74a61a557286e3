import type { BackendReport, BackendName, MetricPoint } from '../contract/runs';

/** Host → trainer. One trainer process trains one run. */
export type HostToTrainer =
  | { type: 'start'; runId: string; experiment: string; config: Record<string, unknown>; backend?: BackendName }
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
  | { type: 'probed'; backend: BackendReport | null; error?: string };

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
  /** Called once when the process ends: exit code, or the signal that killed it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type SpawnTrainer = () => TrainerHandle;
