import type { MetricPoint, MetricSeries } from '../../../contract/runs';

/** A run's metric series, filled from the stored data and then appended to as the run streams. */
export class SeriesStore {
  private readonly byName = new Map<string, { steps: number[]; values: (number | null)[] }>();
  private lastStep = -1;

  load(series: MetricSeries[]): void {
    this.byName.clear();
    this.lastStep = -1;
    for (const s of series) {
      this.byName.set(s.name, { steps: s.steps.slice(), values: s.values.slice() });
      this.lastStep = Math.max(this.lastStep, s.steps.at(-1) ?? -1);
    }
  }

  /** Appends live points; ones at or before the last stored step (already loaded) are skipped. */
  append(points: MetricPoint[]): boolean {
    let added = false;
    for (const p of points) {
      if (p.step <= this.lastStep) continue;
      for (const [name, value] of Object.entries(p.values)) {
        let s = this.byName.get(name);
        if (!s) this.byName.set(name, (s = { steps: [], values: [] }));
        s.steps.push(p.step);
        s.values.push(Number.isFinite(value) ? value : null);
      }
      this.lastStep = p.step;
      added = true;
    }
    return added;
  }

  get(name: string): { steps: number[]; values: (number | null)[] } {
    return this.byName.get(name) ?? { steps: [], values: [] };
  }

  /** The metrics it holds, in the order they first arrived. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Evaluations: a built-in run records trainLoss at each; an external run, its longest series. */
  get size(): number {
    const own = this.byName.get('trainLoss');
    if (own) return own.steps.length;
    let longest = 0;
    for (const s of this.byName.values()) longest = Math.max(longest, s.steps.length);
    return longest;
  }
}
