import type { AppEvent } from '../contract/events';

const fmtSeconds = (s: number) => (s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

/** Progress lines on stderr: redrawn in place on a terminal, every few seconds otherwise. */
export function progressPrinter(labels: Map<string, string>, stream: NodeJS.WriteStream = process.stderr) {
  const lastLine = new Map<string, number>();
  const lastStep = new Map<string, number>();
  const latestTestAcc = new Map<string, number>();
  const tty = stream.isTTY === true;
  return (event: AppEvent) => {
    if (event.type === 'runs:metrics') {
      const v = event.points.at(-1)?.values.testAcc;
      if (v !== undefined) latestTestAcc.set(event.runId, v);
      return;
    }
    if (event.type !== 'runs:progress') return;
    const label = labels.get(event.runId);
    if (!label || lastStep.get(event.runId) === event.step) return;
    lastStep.set(event.runId, event.step);
    const now = Date.now();
    const finished = event.step >= event.total;
    if (!tty && !finished && now - (lastLine.get(event.runId) ?? 0) < 3000) return;
    lastLine.set(event.runId, now);
    const pct = Math.floor((100 * event.step) / event.total);
    const parts = [`${label} step ${event.step}/${event.total} (${pct}%)`];
    if (!finished) {
      // The ETA follows from the rate printed beside it; before a few steps are measured, neither.
      if (event.stepsPerSecond && event.etaSeconds !== null) parts.push(`${event.stepsPerSecond.toFixed(1)} steps/s`, `ETA ${fmtSeconds(event.etaSeconds)}`);
      else parts.push('estimating…');
    }
    const acc = latestTestAcc.get(event.runId);
    if (acc !== undefined) parts.push(`test acc ${acc.toFixed(3)}`);
    stream.write(`${parts.join(' · ')}\n`);
  };
}

/** One overall line for a sweep on stderr: runs done, share of steps, ETA — at most every 3 s (or 1 s on a terminal). */
export function sweepProgressPrinter(read: () => { progress: { runs: number; byStatus: Record<string, number | undefined>; stepsDone: number; stepsTotal: number; etaSeconds: number | null } }, stream: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  let lastText = '';
  return (event: AppEvent) => {
    if (event.type !== 'runs:progress' && event.type !== 'runs:changed') return;
    const now = Date.now();
    if (now - last < (stream.isTTY ? 1000 : 3000) && event.type === 'runs:progress') return;
    last = now;
    const { runs, byStatus, stepsDone, stepsTotal, etaSeconds } = read().progress;
    const finished = runs - (byStatus.queued ?? 0) - (byStatus.running ?? 0);
    const parts = [`sweep: ${finished}/${runs} runs finished`, `${stepsTotal ? Math.floor((100 * stepsDone) / stepsTotal) : 0}% of steps`];
    if ((byStatus.running ?? 0) > 0) parts.push(`${byStatus.running} running`);
    if (etaSeconds !== null) parts.push(`ETA ${fmtSeconds(etaSeconds)}`);
    const text = parts.join(' · ');
    if (text === lastText) return;
    lastText = text;
    stream.write(`${text}\n`);
  };
}
