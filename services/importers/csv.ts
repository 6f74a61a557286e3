import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse, type CsvError, type Info } from 'csv-parse';
import { ImportError, type ExternalRun, type ImportPlan } from '../../common/external-run';
import { requireInput } from './input-path';
import { type ImportProgress } from './progress';
import { makeRun, parseMetricValue, SeriesCollector } from './series';

/** Files above this are refused before a byte is read: their points would not fit in memory as runs. */
export const MAX_CSV_BYTES = 1024 ** 3;

/** Wall-clock columns a wide CSV may carry beside its metrics (TensorBoard's CSV export has "Wall time"). */
const TIME_COLUMNS = new Set(['wall time', 'wall_time', 'walltime', 'timestamp']);

/**
 * The three shapes, told apart by the header:
 *   wandb  W&B's run-history export: `_step`; metrics are the columns without a leading `_`
 *   long   `step,name,value` (or `metric` for name)
 *   wide   `step,<metric>,<metric>,…`
 * Long and wide may have a `run` column naming each row's run.
 */
type Shape =
  | { kind: 'wandb' | 'wide'; step: number; metrics: { index: number; name: string }[]; run: number | undefined; skipped: string[] }
  | { kind: 'long'; step: number; name: number; value: number; run: number | undefined; skipped: string[] };

function detectShape(header: string[], file: string): Shape {
  const lower = header.map((h) => h.trim().toLowerCase());
  const find = (...names: string[]): number | undefined => {
    const i = lower.findIndex((h) => names.includes(h));
    return i < 0 ? undefined : i;
  };
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h.trim())) throw new ImportError(`${file}:1: column "${h.trim()}" appears twice in the header`, file, { line: 1 });
    seen.add(h.trim());
  }
  const wandbStep = header.findIndex((h) => h.trim() === '_step');
  if (wandbStep >= 0) {
    const metrics = header.map((h, index) => ({ index, name: h.trim() })).filter((c) => !c.name.startsWith('_'));
    const skipped = header.map((h) => h.trim()).filter((h) => h.startsWith('_') && h !== '_step');
    return { kind: 'wandb', step: wandbStep, metrics, run: undefined, skipped };
  }
  const step = find('step');
  if (step === undefined) {
    throw new ImportError(`${file}:1: no step column (expected "step", or W&B's "_step"; header: ${header.join(',')})`, file, { line: 1 });
  }
  const name = find('name', 'metric');
  const value = find('value');
  if (name !== undefined && value !== undefined) {
    const run = find('run');
    const used = new Set([step, name, value, run]);
    return { kind: 'long', step, name, value, run, skipped: header.filter((_, i) => !used.has(i)).map((h) => h.trim()) };
  }
  // A `run` column names the run of each row here too, so one wide file can hold a sweep.
  const run = find('run');
  const metrics = header.map((h, index) => ({ index, name: h.trim() })).filter((c) => c.index !== step && c.index !== run && !TIME_COLUMNS.has(lower[c.index]!));
  const skipped = header.filter((_, i) => i !== step && TIME_COLUMNS.has(lower[i]!)).map((h) => h.trim());
  return { kind: 'wide', step, metrics, run, skipped };
}

/** One cell into its series: empty is missing (not zero); a second, different value at a step is an error. */
function putCell(collector: SeriesCollector, metric: string, column: string, text: string, step: number, file: string, line: number): void {
  if (text === '') return;
  const value = parseMetricValue(text);
  if (value === undefined) throw new ImportError(`${file}:${line}: column "${column}": "${text}" is not a number`, file, { line });
  const previous = collector.set(metric, step, value);
  if (previous !== undefined && previous !== value) {
    throw new ImportError(`${file}:${line}: "${metric}" has two values at step ${step} (${previous} and ${value})`, file, { line });
  }
}

/**
 * Reads a CSV of metric histories, streamed. One run per file (named after the file, grouped under
 * its folder), or one per value of a `run` column (grouped under the file's name). Empty cells are
 * missing values; a cell that is not a number, a row without a step, or two different values for one
 * metric at one step is refused with the line, and nothing is returned.
 */
export async function readCsv(given: string, onProgress?: ImportProgress): Promise<ImportPlan> {
  const file = resolve(given);
  await requireInput(file, 'file');
  const size = (await stat(file)).size;
  if (size > MAX_CSV_BYTES) {
    throw new ImportError(`${file}: ${(size / 1024 ** 3).toFixed(1)} GiB is over the 1 GiB limit for a CSV import; split the file`, file);
  }
  const base = basename(file, extname(file));
  const notes: string[] = [];
  const collectors = new Map<string, SeriesCollector>();
  const collectorFor = (run: string): SeriesCollector => {
    let c = collectors.get(run);
    if (!c) collectors.set(run, (c = new SeriesCollector()));
    return c;
  };

  const input = createReadStream(file);
  let bytes = 0;
  input.on('data', (chunk) => {
    bytes += chunk.length;
    onProgress?.({ done: bytes, total: size, phase: 'Reading CSV' });
  });
  const parser = input.pipe(parse({ bom: true, info: true, skip_empty_lines: true }));
  let shape: Shape | undefined;
  let header: string[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const line = info.lines;
      if (!shape) {
        header = record;
        shape = detectShape(record, file);
        if (shape.skipped.length > 0) notes.push(`${base}: skipped column${shape.skipped.length === 1 ? '' : 's'} ${shape.skipped.join(', ')}`);
        continue;
      }
      const cellAt = (i: number): string => (record[i] ?? '').trim();
      const stepText = cellAt(shape.step);
      const step = Number(stepText);
      if (stepText === '' || !Number.isSafeInteger(step)) {
        throw new ImportError(`${file}:${line}: column "${header[shape.step]!.trim()}": "${stepText}" is not a whole-number step`, file, { line });
      }
      const run = shape.run === undefined ? base : cellAt(shape.run);
      if (run === '') throw new ImportError(`${file}:${line}: column "${header[shape.run!]!.trim()}" is empty`, file, { line });
      const collector = collectorFor(run);
      if (shape.kind === 'long') {
        const metric = cellAt(shape.name);
        if (metric === '') throw new ImportError(`${file}:${line}: column "${header[shape.name]!.trim()}" is empty`, file, { line });
        putCell(collector, metric, header[shape.value]!.trim(), cellAt(shape.value), step, file, line);
      } else {
        for (const { index, name } of shape.metrics) putCell(collector, name, name, cellAt(index), step, file, line);
      }
    }
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const csvErr = err as CsvError & { lines?: number };
    const at = typeof csvErr.lines === 'number' ? csvErr.lines : undefined;
    throw new ImportError(`${file}${at ? `:${at}` : ''}: ${csvErr.message}`, file, at ? { line: at } : undefined);
  } finally {
    input.destroy();
  }
  if (!shape) throw new ImportError(`${file}: empty (no header line)`, file);

  const multi = shape.run !== undefined;
  const runs: ExternalRun[] = [];
  for (const [name, collector] of [...collectors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (collector.pointCount === 0) continue;
    runs.push(
      makeRun({
        name,
        experiment: multi ? base : basename(dirname(file)),
        source: 'csv',
        origin: file,
        config: {},
        metrics: collector.toSeries(),
      }),
    );
  }
  if (runs.length === 0) notes.push(`${base}: no values; nothing to import`);
  return { source: 'csv', runs, notes };
}
