import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ImportError, type ImportPlan } from '../../common/external-run';
import { decodeEvent, decodeSessionStartHparams, type SummaryValue, type TensorProto, toNumber } from './event-proto';
import { requireInput } from './input-path';
import { type ImportProgress } from './progress';
import { makeRun, SeriesCollector, finiteOrNull } from './series';
import { tfRecords } from './tfrecord';

const EVENT_FILE = /^events\.out\.tfevents\./;
/** The subfolder name PyTorch's and tensorboardX's add_hparams use: str(time.time()). */
const TIMESTAMP_DIR = /^\d{9,}(\.\d+)?$/;

// TensorFlow DataType enum values of the numeric scalar kinds read as metrics.
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_INT64 = 9;

interface DirRead {
  dir: string;
  scalars: SeriesCollector;
  hparams: Record<string, unknown> | undefined;
  /** Summary kind ("image", "histogram", plugin name…) → tags skipped. */
  skipped: Map<string, Set<string>>;
}

/** Every folder under root (root included, hidden ones not) that holds an event file, sorted. */
export async function findEventDirs(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && EVENT_FILE.test(e.name))) found.push(dir);
    // Hidden folders (.ipynb_checkpoints, .git) hold no runs of the researcher's.
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name));
  };
  await walk(root);
  return found.sort();
}

/** Whether an event file lies in root or below (down to maxDepth folders), stopping at the first. */
export async function containsEventFiles(root: string, maxDepth = 8): Promise<boolean> {
  let level = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      if (entries.some((e) => e.isFile() && EVENT_FILE.test(e.name))) return true;
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) next.push(join(dir, e.name));
    }
    level = next;
  }
  return false;
}

/** A scalar tensor's one number (float32/double/int from the typed field or little-endian tensor_content). */
function scalarFromTensor(t: TensorProto): number | undefined {
  if ((t.tensor_shape?.dim?.length ?? 0) > 0 || t.tensor_shape?.unknown_rank) return undefined;
  const content = t.tensor_content && t.tensor_content.length > 0 ? t.tensor_content : undefined;
  const view = content && new DataView(content.buffer, content.byteOffset, content.byteLength);
  switch (t.dtype) {
    case DT_FLOAT:
      return view ? (view.byteLength >= 4 ? view.getFloat32(0, true) : undefined) : t.float_val?.[0];
    case DT_DOUBLE:
      return view ? (view.byteLength >= 8 ? view.getFloat64(0, true) : undefined) : t.double_val?.[0];
    case DT_INT32:
      return view ? (view.byteLength >= 4 ? view.getInt32(0, true) : undefined) : t.int_val?.[0];
    case DT_INT64:
      return view ? (view.byteLength >= 8 ? Number(view.getBigInt64(0, true)) : undefined) : t.int64_val && t.int64_val.length > 0 ? toNumber(t.int64_val[0]) : undefined;
    default:
      return undefined;
  }
}

type Reading = { scalar: number } | { hparams: Record<string, unknown> } | { skip: string } | undefined;

/** What one summary value is: a scalar, the hparams, a kind of summary skipped, or nothing to read. */
function readSummaryValue(v: SummaryValue): Reading {
  const plugin = v.metadata?.plugin_data?.plugin_name ?? '';
  if (plugin === 'hparams') {
    const hparams = v.metadata?.plugin_data?.content && decodeSessionStartHparams(v.metadata.plugin_data.content);
    return hparams ? { hparams } : undefined;
  }
  switch (v.value) {
    case 'simple_value':
      return { scalar: v.simple_value ?? 0 };
    case 'image':
      return { skip: 'image' };
    case 'audio':
      return { skip: 'audio' };
    case 'histo':
    case 'obsolete_old_style_histogram':
      return { skip: 'histogram' };
    case 'tensor': {
      if (plugin !== '' && plugin !== 'scalars') return { skip: plugin };
      const scalar = scalarFromTensor(v.tensor!);
      return scalar === undefined ? { skip: 'non-scalar tensor' } : { scalar };
    }
    default:
      return undefined;
  }
}

async function readEventDir(dir: string, onFile: () => void): Promise<DirRead> {
  const read: DirRead = { dir, scalars: new SeriesCollector(), hparams: undefined, skipped: new Map() };
  // Event file names start with the writer's start time, so name order is write order: a later
  // value at the same step (a resumed run) replaces an earlier one, as TensorBoard shows it.
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && EVENT_FILE.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
  for (const file of files) {
    for await (const { data, offset } of tfRecords(file)) {
      let event;
      try {
        event = decodeEvent(data);
      } catch (err) {
        throw new ImportError(`${file}: record at byte ${offset} is not a TensorFlow Event (${(err as Error).message})`, file, { byteOffset: offset });
      }
      const step = toNumber(event.step);
      for (const v of event.summary?.value ?? []) {
        const reading = readSummaryValue(v);
        if (!reading) continue;
        if ('scalar' in reading) read.scalars.set(v.tag ?? '', step, finiteOrNull(reading.scalar));
        else if ('hparams' in reading) read.hparams = { ...read.hparams, ...reading.hparams };
        else {
          const tags = read.skipped.get(reading.skip) ?? new Set<string>();
          read.skipped.set(reading.skip, tags.add(v.tag ?? ''));
        }
      }
    }
    onFile();
  }
  return read;
}

/** Adds the hparams subfolder's scalars to its parent's, leaving out points the parent already has. */
function mergeInto(parent: DirRead, child: DirRead, parentName: string, notes: string[]): void {
  parent.hparams = { ...parent.hparams, ...child.hparams };
  const conflicts = new Set<string>();
  for (const [tag, series] of Object.entries(child.scalars.toSeries())) {
    series.steps.forEach((step, i) => {
      const value = series.values[i]!;
      const existing = parent.scalars.get(tag, step);
      if (existing === undefined) parent.scalars.set(tag, step, value);
      else if (existing !== value) conflicts.add(tag);
    });
  }
  for (const [kind, tags] of child.skipped) {
    const into = parent.skipped.get(kind) ?? new Set<string>();
    for (const t of tags) into.add(t);
    parent.skipped.set(kind, into);
  }
  for (const tag of conflicts) {
    notes.push(`${parentName}: "${tag}" in hparams folder ${basename(child.dir)} differs from the run's own at the same step; the run's values kept`);
  }
}

/**
 * Reads a TensorBoard log: one run folder, or a tree in which every folder holding
 * `events.out.tfevents.*` files is a run named by its path relative to `root`. The timestamped
 * subfolder that `add_hparams` writes is folded into its parent run (its hparams become the config).
 */
export async function readTensorBoard(path: string, onProgress?: ImportProgress): Promise<ImportPlan> {
  // Absolute and without a trailing slash, so folder comparisons and relative names hold.
  const root = resolve(path);
  await requireInput(root, 'folder');
  const dirs = await findEventDirs(root);
  if (dirs.length === 0) throw new ImportError(`${root}: no events.out.tfevents.* files in this folder or below`, root);
  const total = (
    await Promise.all(dirs.map(async (d) => (await readdir(d)).filter((n) => EVENT_FILE.test(n)).length))
  ).reduce((a, b) => a + b, 0);
  let done = 0;
  onProgress?.({ done, total, phase: 'Reading TensorBoard event files' });
  const reads = new Map<string, DirRead>();
  for (const dir of dirs) {
    reads.set(dir, await readEventDir(dir, () => onProgress?.({ done: ++done, total, phase: 'Reading TensorBoard event files' })));
  }

  const nameOf = (dir: string): string => (dir === root ? basename(root) : relative(root, dir).split(sep).join('/'));
  const notes: string[] = [];

  // add_hparams folders: fold each into its parent run when it is the parent's only one.
  const hparamChildren = new Map<string, DirRead[]>();
  for (const read of reads.values()) {
    if (!read.hparams || read.dir === root) continue;
    const parent = dirname(read.dir);
    if (reads.has(parent) || TIMESTAMP_DIR.test(basename(read.dir))) {
      hparamChildren.set(parent, [...(hparamChildren.get(parent) ?? []), read]);
    }
  }
  for (const [parentDir, children] of hparamChildren) {
    if (children.length > 1) {
      notes.push(`${nameOf(parentDir)}: ${children.length} hparams folders; each kept as its own run`);
      continue;
    }
    const child = children[0]!;
    let parent = reads.get(parentDir);
    if (!parent) reads.set(parentDir, (parent = { dir: parentDir, scalars: new SeriesCollector(), hparams: undefined, skipped: new Map() }));
    mergeInto(parent, child, nameOf(parentDir), notes);
    reads.delete(child.dir);
  }

  const ordered = [...reads.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const onlyRoot = ordered.length === 1 && ordered[0]!.dir === root;
  const experiment = onlyRoot ? basename(dirname(root)) : basename(root);
  const runs = [];
  for (const read of ordered) {
    const name = nameOf(read.dir);
    for (const [kind, tags] of [...read.skipped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      notes.push(`${name}: skipped ${tags.size} ${kind} summar${tags.size === 1 ? 'y' : 'ies'} (${[...tags].sort().join(', ')})`);
    }
    if (read.scalars.pointCount === 0 && !read.hparams) {
      notes.push(`${name}: no scalars or hparams; not imported`);
      continue;
    }
    runs.push(
      makeRun({
        name,
        experiment,
        source: 'tensorboard',
        origin: read.dir,
        config: read.hparams ?? {},
        metrics: read.scalars.toSeries(),
      }),
    );
  }
  return { source: 'tensorboard', runs, notes };
}
