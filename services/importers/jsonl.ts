import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImportError, type ExternalSeries, type ImportPlan } from '../../common/external-run';
import { parseMetricLine } from '../../common/metric-line';

/**
 * A JSON-lines file, one run: the lines `phenobook log` reads (`{"step": …, "metric": …}` and
 * `{"config": {…}}`), e.g. a script's stdout saved with `> run.jsonl`. Unlike the live log, a line
 * that is neither is refused (file:line), since a file is read on purpose. Blank lines are skipped.
 */
export async function readJsonLines(file: string): Promise<ImportPlan> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new ImportError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const text = bytes.toString('utf8');
  const config: Record<string, unknown> = {};
  const byName = new Map<string, Map<number, number | null>>();
  let points = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const parsed = parseMetricLine(line);
    if (parsed.kind === 'other') {
      const shown = line.length > 80 ? `${line.slice(0, 77)}…` : line;
      throw new ImportError(
        `${file}:${i + 1}: not a metric line (a JSON object with a whole-number "step", or {"config": {…}}): ${shown}`,
        file,
        { line: i + 1 },
      );
    }
    if (parsed.kind === 'config') {
      Object.assign(config, parsed.config);
      continue;
    }
    points++;
    for (const [name, value] of Object.entries(parsed.point.values)) {
      let series = byName.get(name);
      if (!series) byName.set(name, (series = new Map()));
      // A step written twice keeps its last value, as the live log does.
      series.set(parsed.point.step, Number.isFinite(value) ? value : null);
    }
  }
  const metrics: Record<string, ExternalSeries> = {};
  for (const [name, series] of byName) {
    const steps = [...series.keys()].sort((a, b) => a - b);
    metrics[name] = { steps, values: steps.map((s) => series.get(s)!) };
  }
  const base = path.basename(file).replace(/\.(jsonl|ndjson|json|log|txt)$/i, '');
  const resolved = path.resolve(file);
  return {
    source: 'jsonl',
    runs: [
      {
        name: base || path.basename(file),
        // The folder it sits in groups it with its siblings, as an experiment name does.
        experiment: path.basename(path.dirname(resolved)) || 'jsonl',
        source: 'jsonl',
        origin: resolved,
        config,
        seed: Number.isSafeInteger(config.seed) ? (config.seed as number) : 0,
        metrics,
        // The bytes alone: the same file copied elsewhere is the same run.
        contentHash: createHash('sha256').update(bytes).digest('hex'),
      },
    ],
    notes: points === 0 ? [`${file}: no metric lines`] : [],
  };
}
