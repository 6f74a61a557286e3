import type { MetricPoint } from './runs';

/** Events pushed from host to renderer (IPC in desktop mode, an event stream in browser mode). */
export type AppEvent =
  | { type: 'projects:changed'; ids: string[] }
  | { type: 'checklist:changed'; projectId: string; questionKey: string }
  /** Notes, hypotheses or checklist evidence of a project changed. */
  | { type: 'notebook:changed'; projectId: string; what: 'notes' | 'hypotheses' | 'evidence' | 'figures' | 'confounders' | 'attachments' }
  | { type: 'runs:changed'; ids: string[]; projectId: string | null }
  | { type: 'sweeps:changed'; ids: string[]; projectId: string | null }
  | {
      type: 'runs:progress';
      runId: string;
      projectId: string | null;
      step: number;
      total: number;
      /** Steps per second of wall time since the first step reported (evaluation included); null while estimating. */
      stepsPerSecond: number | null;
      /** Seconds left at exactly that rate; null while estimating. */
      etaSeconds: number | null;
    }
  | { type: 'runs:metrics'; runId: string; projectId: string | null; points: MetricPoint[] }
  /** A bundle import under way (it runs off the host thread): phase and how far. */
  | { type: 'bundles:progress'; phase: 'inflating' | 'checking' | 'staging' | 'writing'; done: number; total: number }
  /** Runs being read from a path (imports:preview, imports:commit) or stored, off the host thread. */
  | { type: 'imports:progress'; phase: 'reading' | 'writing'; done: number; total: number }
  /** A confounder test under way off the host thread. */
  | { type: 'confounders:progress'; projectId: string; phase: 'analysing' }
  /** The researcher's experiment files were re-read (added, changed, fixed or broken). */
  | { type: 'experiments:changed' }
  | { type: 'host:shutdown' };
