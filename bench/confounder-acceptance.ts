// The confounder test of docs/experiments.md §7 on a data folder with a finished sweep (across widths) or runs (across steps):
//   npx tsx bench/confounder-acceptance.ts DATA_DIR [CANDIDATE]   (a built-in candidate: primeCount, pTest, …)
import { BUILTIN_CANDIDATES, type BuiltinCandidate, type ConfounderTest } from '../contract/confounders';
import { createAppContext } from '../services/app-context';
import { dispatch } from '../host/handlers';
const ctx = createAppContext({ dataDir: process.argv[2]!, mode: 'browser', recover: false });
const projectId = (ctx.db.prepare('SELECT id FROM projects LIMIT 1').pluck().get()) as string;
const sweepId = ctx.db.prepare('SELECT id FROM sweeps LIMIT 1').pluck().get() as string | undefined;
const runIds = ctx.db.prepare("SELECT id FROM runs WHERE status='done'").pluck().all() as string[];
const metric = (process.argv[3] ?? 'primeCount') as BuiltinCandidate;
if (!BUILTIN_CANDIDATES.includes(metric)) throw new Error(`candidate must be one of ${BUILTIN_CANDIDATES.join(', ')}`);
const candidate = { kind: 'builtin', metric };
const t0 = performance.now();
const r = await dispatch(ctx, 'confounders:run', sweepId ? { projectId, sweepId, candidate, controls: ['logL2', 'logParameters'] } : { projectId, runIds, candidate, controls: ['logL2'] });
console.log(((performance.now() - t0) / 1000).toFixed(2), 's');
if (!r.ok) { console.log(r.error); process.exit(1); }
const t = r.value as ConfounderTest;
for (const m of t.report.results) console.log(m.role, m.name, JSON.stringify(m.spearman), m.partials.map((p) => `${p.given.join('+')}: ${p.r.toFixed(3)} [${p.low.toFixed(2)},${p.high.toFixed(2)}]`).join(' | '));
for (const b of t.report.beyondPlacebos) console.log('beyond', b.placebo, b.r.toFixed(3), b.low.toFixed(2), b.high.toFixed(2));
console.log(t.verdict);
ctx.close();
