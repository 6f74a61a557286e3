import type { MetricPoint } from './runs';

/** Events pushed from host to renderer (IPC in desktop mode, an event stream in browser mode). */
export type AppEvent =
  | { type: 'projects:changed'; ids: string[] }
  | { type: 'checklist:changed'; projectId: string; questionKey: string }
  /** Notes, hypotheses or checklist evidence of a project changed. */
  | { type: 'notebook:changed'; projectId: string; what: 'notes' | 'hypotheses' | 'evidence' | 'figures' | 'confounders' }
  | { type: 'runs:changed'; ids: string[]; projectId: string | null }
  | { type: 'sweeps:changed'; ids: string[]; projectId: string | null }
  | {
      type: 'runs:progress';
      runId: string;
      projectId: string | null;
      step: number;
      total: number;
      /** Optimizer steps per second of training time (evaluation excluded). */
      stepsPerSecond: number | null;
      /** Seconds left at the run's overall pace (evaluation included). */
      etaSeconds: number | null;
    }
  | { type: 'runs:metrics'; runId: string; projectId: string | null; points: MetricPoint[] }
  /** The researcher's experiment files were re-read (added, changed, fixed or broken). */
  | { type: 'experiments:changed' }
  | { type: 'host:shutdown' };
