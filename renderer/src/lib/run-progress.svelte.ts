import type { Api } from '../../../contract/api';
import type { AppEvent } from '../../../contract/events';

export type Progress = Extract<AppEvent, { type: 'runs:progress' }>;

/** The latest progress of every training run this window has heard about. */
class RunProgress {
  byRun = $state<Record<string, Progress>>({});
  private unsubscribe: (() => void) | null = null;

  attach(api: Api): void {
    if (this.unsubscribe) return;
    this.unsubscribe = api.onEvent((event) => {
      if (event.type === 'runs:progress') this.byRun[event.runId] = event;
    });
  }
}

export const runProgress = new RunProgress();
