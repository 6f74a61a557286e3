import { describe, expect, it } from 'vitest';
import { CHECKLIST_CITATION, CHECKLIST_QUESTIONS, checklistProgress, type ChecklistAnswer, type ChecklistState } from '../contract/checklist';
import type { Hypothesis, HypothesisContent, Prediction } from '../contract/hypotheses';
import type { FigureSummary } from '../contract/figures';
import type { Note } from '../contract/notes';
import type { Project } from '../contract/projects';
import type { RunDetail, RunSummary } from '../contract/runs';
import { collectBackends, escapeHtml, formatDuration, reportFilename, reportHtml, reportMarkdown, type ReportData } from './report-html';

// ---------------------------------------------------------------------------------------------
// Fixtures: small literal objects of the contract types

const PROJECT_ID = '11111111-1111-4111-8111-111111111111';
const RUN_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const RUN_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const NOTE_ID = 'cccccccc-0000-4000-8000-000000000003';
const HYP_ID = 'dddddddd-0000-4000-8000-000000000004';
const FIG_ID = 'eeeeeeee-0000-4000-8000-000000000005';
const SWEEP_ID = 'ffffffff-0000-4000-8000-000000000006';
const HASH = 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70';
const AMEND_HASH = '0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff0';

const project = (over: Partial<Project> = {}): Project => ({
  id: PROJECT_ID,
  title: 'Grokking and weight decay',
  phenomenon: 'grokking',
  question: 'Does **weight decay** drive the delayed generalisation?',
  tags: ['omnigrok', 'mlp'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  archivedAt: null,
  ...over,
});

const run = (id: string, weightDecay: number, over: Partial<RunSummary> = {}): RunSummary => ({
  id,
  label: `grokking-mlp · weightDecay ${weightDecay} · seed 0`,
  source: 'phenobook',
  origin: null,
  name: null,
  projectId: PROJECT_ID,
  groupId: id,
  experiment: 'grokking-mlp',
  preset: null,
  seed: 0,
  status: 'done',
  error: null,
  backend: 'tfjs-node-gpu',
  gpu: true,
  stepsTotal: 3000,
  stepsDone: 3000,
  trainSeconds: 80,
  wallSeconds: 83.25,
  rerunOf: null,
  createdAt: '2026-01-01T01:00:00.000Z',
  startedAt: '2026-01-01T01:00:01.000Z',
  finishedAt: '2026-01-01T01:01:24.000Z',
  final: { trainAcc: 1, testAcc: weightDecay === 0 ? 0.031 : 0.9912 },
  config: { weightDecay, steps: 3000, seed: 0 },
  ...over,
});

const prediction: Prediction = {
  metric: 'testAcc',
  at: { kind: 'step', step: 3000 },
  when: [{ field: 'weightDecay', op: '=', value: 0 }],
  comparison: '<',
  threshold: 0.2,
};

const original: HypothesisContent = {
  statement: 'Without weight decay the network memorises and never generalises within 3000 steps.',
  theory: 'Grokking is driven by weight-norm decay (Omnigrok)',
  relation: 'refines',
  predictions: [prediction],
};

const amended: HypothesisContent = { ...original, statement: 'Amended: memorises for at least 3000 steps.', predictions: [{ ...prediction, threshold: 0.25 }] };

const hypothesis = (over: Partial<Hypothesis> = {}): Hypothesis => ({
  id: HYP_ID,
  projectId: PROJECT_ID,
  createdAt: '2026-01-01T00:10:00.000Z',
  updatedAt: '2026-01-01T02:00:00.000Z',
  ...original,
  lock: { at: '2026-01-01T00:20:00.000Z', hash: HASH, intact: true },
  amendments: [{ ...amended, number: 1, reason: 'The threshold was too tight for seed noise.', hash: AMEND_HASH, createdAt: '2026-01-01T01:30:00.000Z' }],
  current: amended,
  runs: [
    { runId: RUN_A, linkedAt: '2026-01-01T01:02:00.000Z', label: 'grokking-mlp · weightDecay 0 · seed 0', status: 'done' },
    { runId: RUN_B, linkedAt: '2026-01-01T01:03:00.000Z', label: 'grokking-mlp · weightDecay 1 · seed 0', status: 'done' },
  ],
  results: [
    { predictionIndex: 0, runId: RUN_A, verdict: 'supported', value: 0.031, step: 3000, conditionMet: true, explanation: 'test accuracy at step 3000 = 0.031 < 0.25' },
    { predictionIndex: 0, runId: RUN_B, verdict: 'refuted', value: 0.9912, step: 3000, conditionMet: false, explanation: 'test accuracy at step 3000 = 0.9912, not < 0.25' },
  ],
  originalResults: [
    { predictionIndex: 0, runId: RUN_A, verdict: 'supported', value: 0.031, step: 3000, conditionMet: true, explanation: 'test accuracy at step 3000 = 0.031 < 0.2 (original)' },
  ],
  tally: { supported: 1, refuted: 0, inconclusive: 0, outside: 1 },
  warnings: [],
  confounderTests: [],
  ...over,
});

function checklist(answers: ChecklistAnswer[]): ChecklistState {
  return {
    version: 1,
    answers,
    ...checklistProgress(answers),
    evidence: [
      { questionKey: 'throughout.method.hypothesis', kind: 'hypothesis', targetId: HYP_ID, label: original.statement, detail: 'locked', linkedAt: '2026-01-01T02:00:00.000Z' },
      { questionKey: 'throughout.method.hypothesis', kind: 'run', targetId: RUN_A, label: 'grokking-mlp · weightDecay 0 · seed 0 · aaaaaaaa', detail: 'done', linkedAt: '2026-01-01T02:00:01.000Z' },
    ],
  };
}

const answers: ChecklistAnswer[] = [
  {
    questionKey: 'throughout.method.hypothesis',
    status: 'answered',
    markdown: 'We test **H1**, which is _falsifiable_:\n\n- weight decay 0 stays below 0.2\n- see [Omnigrok](https://arxiv.org/abs/2210.01117)',
    notApplicableReason: null,
    updatedAt: '2026-01-01T02:05:00.000Z',
  },
  { questionKey: 'early.value.synthetic', status: 'not-applicable', markdown: '', notApplicableReason: 'Not an edge case: it shows up on MNIST.', updatedAt: '2026-01-01T02:06:00.000Z' },
  { questionKey: 'early.context.framing', status: 'in-progress', markdown: 'Power et al. 2022 framed it as *delayed generalisation*.', notApplicableReason: null, updatedAt: '2026-01-01T02:07:00.000Z' },
];

const note = (over: Partial<Note> = {}): Note => ({
  id: NOTE_ID,
  projectId: PROJECT_ID,
  title: 'First look at the curves',
  body: '# Observations\n\nTest accuracy stays near **chance** without decay.\n\n| wd | test acc |\n|---|---|\n| 0 | 0.031 |',
  tags: ['curves'],
  runIds: [RUN_A],
  figureIds: [FIG_ID],
  questionKeys: [],
  createdAt: '2026-01-01T01:10:00.000Z',
  updatedAt: '2026-01-01T01:20:00.000Z',
  ...over,
});

const figure = (over: Partial<FigureSummary> = {}): FigureSummary => ({
  id: FIG_ID,
  projectId: PROJECT_ID,
  title: 'Test accuracy with and without weight decay',
  caption: 'Test accuracy per step; weight decay 1 groks at about step 2000.',
  provenance: {
    app: 'Phenobook 0.1.0',
    exportedAt: '2026-01-01T01:40:00.000Z',
    experiment: 'grokking-mlp',
    preset: 'default',
    sweepIds: [SWEEP_ID],
    runIds: [RUN_A, RUN_B],
    selection: 'weightDecay ∈ {0, 1}, seed 0',
    shows: 'test accuracy against step',
    config: { steps: 3000, lr: 0.001, hidden: [128, 128] },
  },
  createdAt: '2026-01-01T01:40:00.000Z',
  ...over,
});

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="#fff"/><text x="10" y="20">accuracy</text></svg>';

function data(over: Partial<ReportData> = {}): ReportData {
  return {
    project: project(),
    checklist: checklist(answers),
    hypotheses: [hypothesis()],
    notes: [note()],
    figures: [figure()],
    runs: [run(RUN_A, 0), run(RUN_B, 1, { backend: 'cpu', gpu: false, status: 'failed', error: 'Out of memory', stepsDone: 1200, wallSeconds: 3725, final: { trainAcc: 0.5, testAcc: null } })],
    appVersion: '0.1.0',
    exportedAt: '2026-01-03T12:00:00.000Z',
    figureSvgs: { [FIG_ID]: SVG },
    environment: {
      appVersion: '0.1.0',
      hostname: 'lab-box',
      platform: 'linux x64',
      node: 'v20.19.4',
      backends: [
        { name: 'tfjs-node-gpu', gpu: true, versions: { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0', cuda: '11.8' } },
        { name: 'cpu', gpu: false, versions: { 'tfjs-core': '4.22.0' } },
      ],
    },
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------
// A tiny HTML tokenizer for the assertions: escaped text never contains '<', so every '<' left in
// the document (outside the <style> block) opens a real tag.

interface Tag {
  name: string;
  attrs: [string, string][];
  raw: string;
}

function tags(html: string): Tag[] {
  const withoutStyle = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  const out: Tag[] = [];
  for (const m of withoutStyle.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*|!DOCTYPE)([^>]*)>/g)) {
    if (m[1] === '/' || m[2] === '!DOCTYPE') continue;
    let rest = m[3]!;
    const attrs: [string, string][] = [];
    while (rest.trim() && rest.trim() !== '/') {
      const a = /^\s+([^\s"'>/=]+)(?:="([^"]*)")?/.exec(rest);
      if (!a) throw new Error(`Unparseable attributes in ${m[0]}`);
      attrs.push([a[1]!.toLowerCase(), a[2] ?? '']);
      rest = rest.slice(a[0].length);
    }
    out.push({ name: m[2]!.toLowerCase(), attrs, raw: m[0] });
  }
  return out;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Tags the report may contain: its own structure and the sanitised Markdown subset. */
const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'nav', 'section', 'footer', 'div', 'span', 'p', 'br', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
  'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'sup', 'sub', 'dl', 'dt', 'dd', 'figure', 'figcaption',
]);

/** What holds for every report, whatever the user typed. */
function expectSafe(html: string, { anchorsResolve = true } = {}) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/@import|url\(/i);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;`);
  const all = tags(html);
  const ids = new Set(all.flatMap((t) => t.attrs.filter(([k]) => k === 'id').map(([, v]) => v)));
  for (const t of all) {
    expect(ALLOWED_TAGS, `tag <${t.name}>`).toContain(t.name);
    for (const [name, value] of t.attrs) {
      expect(name, `attribute in ${t.raw.slice(0, 120)}`).not.toMatch(/^on/i);
      expect(['class', 'id', 'href', 'src', 'alt', 'title', 'rel', 'align', 'start', 'style', 'lang', 'charset', 'content', 'name', 'http-equiv', 'aria-label', 'aria-hidden']).toContain(name);
      if (name === 'src') expect(value).toMatch(/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/);
      if (name === 'href') {
        expect(value).toMatch(/^(https?:|mailto:|#)/i);
        if (anchorsResolve && value.startsWith('#')) expect(ids, `anchor ${value}`).toContain(value.slice(1));
      }
      if (name === 'style') expect(value).toMatch(/^width: \d+%$/);
    }
    if (t.name === 'meta') {
      const equiv = t.attrs.find(([k]) => k === 'http-equiv');
      if (equiv) expect(equiv[1]).toBe('Content-Security-Policy');
    }
  }
}

const imgSources = (html: string) => tags(html).filter((t) => t.name === 'img').map((t) => t.attrs.find(([k]) => k === 'src')![1]);
const decodeDataUri = (src: string) => Buffer.from(src.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
const textOf = (html: string) => unescape(html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, ''));

// ---------------------------------------------------------------------------------------------

describe('reportHtml', () => {
  it('is one self-contained document with every section and a contents list that links to them', () => {
    const html = reportHtml(data({ confounderVerdicts: [{ title: 'Metric choice', verdict: 'passed', details: 'Loss shows the same delay as accuracy.' }] }));
    expect(html).toContain('<h3>Metric choice</h3>\n<p><strong>Verdict:</strong> <span class="plain">passed</span></p>');
    expect(html).toContain('Loss shows the same delay as accuracy.');
    expectSafe(html);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['checklist', 'hypotheses', 'confounders', 'figures', 'notes', 'runs', 'environment']) {
      expect(html).toContain(`<section class="major" id="${id}">`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    expect(html).toContain('<style>');
    expect(html).toMatch(/@media print \{[\s\S]*section\.major \{ break-before: page; \}/);
    expect(html).toMatch(/@page \{ size: A4;/);
  });

  it('has the title block: title, phenomenon, tags, research question (Markdown), export time and app version', () => {
    const html = reportHtml(data());
    expect(html).toContain('<h1>Grokking and weight decay</h1>');
    expect(html).toContain('<title>Grokking and weight decay — Phenobook report</title>');
    expect(html).toContain('Grokking');
    expect(html).toContain('<span class="tag">omnigrok</span><span class="tag">mlp</span>');
    expect(html).toContain('Does <strong>weight decay</strong> drive the delayed generalisation?');
    expect(html).toContain('2026-01-03T12:00:00.000Z');
    expect(html).toContain('Phenobook 0.1.0');
  });

  it('shows the checklist: citation, progress per phase, every question with its status, answers, reasons and evidence', () => {
    const html = reportHtml(data());
    expect(html).toContain(CHECKLIST_CITATION.title);
    expect(html).toContain(CHECKLIST_CITATION.authors);
    for (const q of CHECKLIST_QUESTIONS) expect(html).toContain(escapeHtml(q.text));
    // Early: one not applicable; throughout: one answered; concluding: none (the in-progress one does not count).
    expect((html.match(/1 of 8 answered or marked not applicable/g) ?? []).length).toBe(2);
    expect(html).toContain('0 of 9 answered or marked not applicable');
    expect(html).toContain('<span class="badge status-answered">Answered</span>');
    expect(html).toContain('<span class="badge status-not-applicable">Not applicable</span>');
    expect(html).toContain('<span class="badge status-in-progress">In progress</span>');
    expect((html.match(/status-open">Open</g) ?? []).length).toBe(CHECKLIST_QUESTIONS.length - 3);
    // The answer rendered from Markdown, its link kept (external, no opener).
    expect(html).toContain('We test <strong>H1</strong>, which is <em>falsifiable</em>:');
    expect(html).toContain('<li>weight decay 0 stays below 0.2</li>');
    expect(html).toContain('<a href="https://arxiv.org/abs/2210.01117" rel="noopener noreferrer">Omnigrok</a>');
    expect(html).toContain('Not an edge case: it shows up on MNIST.');
    // Evidence, linked to the cited items inside the report.
    expect(html).toContain(`<a href="#hypothesis-${HYP_ID}">${original.statement}</a>`);
    expect(html).toContain(`<a href="#run-${RUN_A}">grokking-mlp · weightDecay 0 · seed 0 · aaaaaaaa</a>`);
    expect(html).toContain('<span class="muted">(locked)</span>');
  });

  it('shows hypotheses with the lock time, full SHA-256, integrity, verdict tables, amendments and original verdicts', () => {
    const html = reportHtml(data());
    expect(html).toContain(`<h3 id="hypothesis-${HYP_ID}">H1. <span class="plain">Amended: memorises for at least 3000 steps.</span></h3>`);
    expect(html).toContain('Refines:</span> <span class="plain">Grokking is driven by weight-norm decay (Omnigrok)</span>');
    expect(html).toContain('2026-01-01T00:20:00.000Z (preregistered)');
    expect(html).toContain(`<code class="hash">${HASH}</code>`);
    expect(html).toContain('✓ intact');
    // Predictions in words, a verdict per run with value, step, explanation and the outside flag.
    expect(html).toContain('with weightDecay = 0, test accuracy at step 3000 &lt; 0.25');
    expect(html).toContain('<span class="badge verdict-supported">supported</span></td><td class="num">0.031</td><td class="num">3000</td><td>test accuracy at step 3000 = 0.031 &lt; 0.25</td>');
    expect(html).toContain('<span class="badge verdict-refuted">refuted</span> <span class="badge outside">outside condition</span></td><td class="num">0.9912</td>');
    expect(html).toContain('1 supported');
    expect(html).toContain('0 refuted');
    expect(html).toContain('1 outside the condition (not counted)');
    expect(html).toContain('0 inconclusive');
    // Amendments and the original as locked, with its own verdicts.
    expect(html).toContain(`Amendment 1, 2026-01-01T01:30:00.000Z, SHA-256 <code class="hash">${AMEND_HASH}</code>`);
    expect(html).toContain('The threshold was too tight for seed noise.');
    expect(html).toContain('<h4>As originally locked</h4>');
    expect(html).toContain(escapeHtml(original.statement));
    expect(html).toContain('with weightDecay = 0, test accuracy at step 3000 &lt; 0.2<');
    expect(html).toContain('0.031 &lt; 0.2 (original)');
  });

  it('warns when a lock no longer matches, and says when a hypothesis is a draft', () => {
    const broken = reportHtml(data({ hypotheses: [hypothesis({ lock: { at: '2026-01-01T00:20:00.000Z', hash: HASH, intact: false } })] }));
    expect(broken).toContain('⚠ the stored content no longer matches this hash');
    expect(broken).not.toContain('✓ intact');
    const draft = reportHtml(data({ hypotheses: [hypothesis({ lock: null, amendments: [], current: original, originalResults: null })] }));
    expect(draft).toContain('Not locked (not preregistered)');
    expect(draft).not.toContain('As originally locked');
  });

  it('embeds figures as base64 SVG images with caption and provenance', () => {
    const html = reportHtml(data());
    const [src] = imgSources(html);
    expect(src).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/);
    expect(decodeDataUri(src!)).toBe(SVG);
    expect(html).not.toContain('<svg');
    expect(html).toContain('<h3>Figure 1. Test accuracy with and without weight decay</h3>');
    expect(html).toContain('<figcaption class="plain">Test accuracy per step; weight decay 1 groks at about step 2000.</figcaption>');
    expect(html).toContain('<tr><th>Experiment</th><td>grokking-mlp</td></tr>');
    expect(html).toContain('<tr><th>Preset</th><td>default</td></tr>');
    expect(html).toContain('weightDecay ∈ {0, 1}, seed 0');
    expect(html).toContain('test accuracy against step');
    expect(html).toContain('<tr><th>Runs</th><td>2</td></tr>');
    expect(html).toContain(`<code>${SWEEP_ID}</code>`);
    expect(html).toContain('<tr><td><code>lr</code></td><td><code>0.001</code></td></tr>');
    expect(html).toContain('<tr><td><code>hidden</code></td><td><code>[128,128]</code></td></tr>');
  });

  it('says so when a figure image is missing', () => {
    const html = reportHtml(data({ figureSvgs: {} }));
    expect(html).toContain('The figure image is not available.');
    expect(imgSources(html)).toEqual([]);
  });

  it('shows notes rendered from Markdown, with tags, linked runs and figures', () => {
    const html = reportHtml(data());
    expect(html).toContain(`<div class="note" id="note-${NOTE_ID}">`);
    expect(html).toContain('<h3>First look at the curves</h3>');
    expect(html).toContain('<h4>Observations</h4>'); // demoted below the report's own headings
    expect(html).toContain('Test accuracy stays near <strong>chance</strong> without decay.');
    expect(html).toMatch(/<table>\s*<thead>\s*<tr>\s*<th>wd<\/th>/);
    expect(html).toContain('<span class="tag">curves</span>');
    expect(html).toContain(`Runs:</span> <a href="#run-${RUN_A}">grokking-mlp · weightDecay 0 · seed 0 · aaaaaaaa</a>`);
    expect(html).toContain(`Figures:</span> <a href="#figure-${FIG_ID}">Test accuracy with and without weight decay</a>`);
  });

  it('lists runs with status, backend and GPU, steps, final accuracies and wall time', () => {
    const html = reportHtml(data());
    expect(html).toContain(
      `<tr id="run-${RUN_A}"><td>grokking-mlp · weightDecay 0 · seed 0 · aaaaaaaa</td><td class="plain">Phenobook</td><td class="plain">weightDecay 0</td><td>done</td><td>tfjs-node-gpu · GPU</td><td class="num">3000/3000</td><td class="num">1</td><td class="num">0.031</td><td class="num">1 min 23 s</td></tr>`,
    );
    expect(html).toContain(`<tr id="run-${RUN_B}"><td>grokking-mlp · weightDecay 1 · seed 0 · bbbbbbbb<br><span class="small verdict-refuted plain">Out of memory</span></td><td class="plain">Phenobook</td><td class="plain">weightDecay 1</td><td>failed</td><td>cpu · CPU</td><td class="num">1200/3000</td><td class="num">0.5</td><td class="num">—</td><td class="num">1 h 2 min</td></tr>`);
  });

  it('shows the environment: app version, host, platform, node and the backends with their package versions', () => {
    const html = reportHtml(data());
    const env = html.slice(html.indexOf('<section class="major" id="environment">'));
    expect(env).toContain('<dt>Phenobook</dt><dd>0.1.0</dd>');
    expect(env).toContain('<dt>Host</dt><dd>lab-box</dd>');
    expect(env).toContain('<dt>Platform</dt><dd>linux x64</dd>');
    expect(env).toContain('<dt>Node</dt><dd>v20.19.4</dd>');
    expect(env).toContain('<tr><td>tfjs-node-gpu</td><td>yes</td><td><code>cuda</code> 11.8<br><code>tfjs-core</code> 4.22.0<br><code>tfjs-node-gpu</code> 4.22.0</td></tr>');
    expect(env).toContain('<tr><td>cpu</td><td>no</td><td><code>tfjs-core</code> 4.22.0</td></tr>');
  });

  it('links confounder evidence to the confounder test when it is in the report', () => {
    const CONF_ID = '99999999-0000-4000-8000-000000000009';
    const state = checklist(answers);
    state.evidence.push({ questionKey: 'throughout.utility.confounders', kind: 'confounder', targetId: CONF_ID, label: 'Prime count vs test loss', detail: null, linkedAt: '2026-01-01T03:00:00.000Z' });
    const html = reportHtml(data({ checklist: state, confounderVerdicts: [{ id: CONF_ID, title: 'Prime count vs test loss', verdict: 'The prime count explains nothing beyond the tail count.', details: 'r = 0.12 [−0.05, 0.3]\nn = 40' }] }));
    expectSafe(html);
    expect(html).toContain(`<div class="confounder" id="confounder-${CONF_ID}">`);
    expect(html).toContain(`confounder:</span> <a href="#confounder-${CONF_ID}">Prime count vs test loss</a>`);
    // Without the section, the evidence stays as text.
    expect(reportHtml(data({ checklist: state }))).toContain('confounder:</span> Prime count vs test loss');
  });

  it('leaves out the confounder section unless given, and shows empty sections as such', () => {
    const html = reportHtml(data({ hypotheses: [], notes: [], figures: [], runs: [], figureSvgs: {}, checklist: checklist([]), environment: { appVersion: '0.1.0', platform: 'darwin arm64', node: 'v22.1.0', backends: [] } }));
    expectSafe(html);
    expect(html).not.toContain('id="confounders"');
    expect(html).not.toContain('<dt>Host</dt>');
    expect(html).toContain('No run reported its backend.');
    expect(html).toContain('None saved yet.');
    expect((html.match(/None yet\./g) ?? []).length).toBe(3);
    const withEmpty = reportHtml(data({ confounderVerdicts: [] }));
    expect(withEmpty).toContain('id="confounders"');
    expect(withEmpty).toContain('None run yet.');
  });
});

describe('reportHtml against hostile content', () => {
  const XSS_TITLE = '"><svg onload=alert(1)>';
  const XSS_TEXT = '<img src=x onerror=alert(1)>';
  const XSS_MARKDOWN = [
    'Answer <img src=x onerror=alert(1)> and <script>alert("s")</script> done.',
    '',
    '[click me](javascript:alert(1)) [enc](&#106;avascript:alert(2)) <a href="JaVaScRiPt:alert(3)">upper</a> <a href=" javascript:alert(4)">sp</a>',
    '',
    '<iframe src="https://evil.example/frame"></iframe><object data="https://evil.example/o"></object><embed src="https://evil.example/e">',
    '<form action="https://evil.example/f"><input name="q"><button>go</button></form>',
    '<link rel="stylesheet" href="https://evil.example/s.css"><style>body{background:url(https://evil.example/bg)}</style>',
    '<div onclick="alert(5)" style="background:url(https://evil.example/x)">clicky</div><base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<svg><script>alert(6)</script><a xlink:href="javascript:alert(7)">svg link</a></svg><math><mi>x</mi></math>',
    '',
    '![tracker](https://evil.example/pixel.png) ![ok](data:image/png;base64,iVBORw0KGgo=) ![rel](pixel.png)',
    '',
    '[relative](other.html) [anchor](#runs) [mail](mailto:me@example.org)',
    '',
    '- [x] done task',
    '- [ ] open task',
  ].join('\n');

  const hostile = (): ReportData => {
    const d = data();
    return {
      ...d,
      project: project({ title: XSS_TITLE, question: XSS_MARKDOWN, tags: [XSS_TEXT] }),
      checklist: checklist([
        { ...answers[0]!, markdown: XSS_MARKDOWN },
        { ...answers[1]!, notApplicableReason: XSS_TEXT },
      ]),
      hypotheses: [
        hypothesis({
          current: { ...amended, statement: XSS_TITLE, theory: XSS_TEXT },
          amendments: [{ ...amended, number: 1, reason: XSS_TEXT, hash: AMEND_HASH, createdAt: '2026-01-01T01:30:00.000Z' }],
        }),
      ],
      notes: [note({ title: XSS_TITLE, body: XSS_MARKDOWN, tags: [XSS_TEXT] })],
      figures: [figure({ title: XSS_TITLE, caption: XSS_TEXT, provenance: { ...figure().provenance, selection: XSS_TEXT, config: { [XSS_TEXT]: XSS_TITLE } } })],
      runs: [run(RUN_A, 0, { label: XSS_TITLE, error: XSS_TEXT })],
      figureSvgs: { [FIG_ID]: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script><image href="https://evil.example/i.png"/></svg>' },
      environment: { ...d.environment, hostname: XSS_TITLE, backends: [{ name: XSS_TEXT, gpu: false, versions: { [XSS_TITLE]: XSS_TEXT } }] },
      confounderVerdicts: [{ title: XSS_TITLE, verdict: XSS_TEXT, details: XSS_TEXT }],
    };
  };

  it('has no script, no event handler, no javascript: URL and no external resource anywhere', () => {
    const html = reportHtml(hostile());
    expectSafe(html);
    for (const word of ['<iframe', '<object', '<embed', '<form', '<input', '<button', '<base', '<svg', '<math', 'evil.example/pixel', 'evil.example/s.css', 'evil.example/bg']) {
      expect(html).not.toContain(word);
    }
    for (const src of imgSources(html)) expect(src).not.toMatch(/http/i);
  });

  it('keeps plain-text payloads visible as escaped text', () => {
    const html = reportHtml(hostile());
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(`<h1>${escapeHtml(XSS_TITLE)}</h1>`);
    expect(html).toContain(`<figcaption class="plain">${escapeHtml(XSS_TEXT)}</figcaption>`);
    expect(html).toContain(`alt="${escapeHtml(XSS_TITLE)}"`);
    const text = textOf(html);
    for (const where of [XSS_TITLE, XSS_TEXT]) expect(text.split(where).length - 1).toBeGreaterThan(5);
  });

  it('renders the Markdown payloads harmlessly: link text and safe links kept, unsafe targets dropped', () => {
    const html = reportMarkdown(XSS_MARKDOWN);
    expect(html).toContain('<a>click me</a>');
    expect(html).toContain('<a>upper</a>');
    expect(html).toContain('<a>sp</a>');
    expect(html).toContain('<a>relative</a>');
    expect(html).toContain('<a href="#runs">anchor</a>');
    expect(html).toContain('<a href="mailto:me@example.org" rel="noopener noreferrer">mail</a>');
    expect(html).toContain('<span>[image: tracker]</span>');
    expect(html).toContain('<span>[image: rel]</span>');
    expect(html).toContain('<span>[image]</span>'); // the inline <img src=x>
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="ok" />');
    expect(html).toContain('<span>☑ </span> done task');
    expect(html).toContain('<span>☐ </span> open task');
    expect(html).toContain('clicky');
    expect(html).not.toMatch(/alert\("s"\)|alert\(6\)|body\{/);
    expectSafe(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;">${html}`, { anchorsResolve: false });
  });

  it('keeps a stored SVG with a script only inside the base64 data URI of an <img>', () => {
    const d = hostile();
    const html = reportHtml(d);
    expect(html).not.toContain('document.domain');
    expect(html).not.toContain('evil.example/i.png');
    const svgs = imgSources(html).filter((src) => src.startsWith('data:image/svg+xml'));
    expect(svgs).toHaveLength(1);
    expect(decodeDataUri(svgs[0]!)).toBe(d.figureSvgs[FIG_ID]);
    const scriptB64 = Buffer.from(d.figureSvgs[FIG_ID]!).toString('base64');
    expect(html.split(scriptB64).length - 1).toBe(1);
  });
});

describe('helpers', () => {
  it('collectBackends keeps one entry per backend, GPU use and versions, sorted', () => {
    const detail = (name: 'cpu' | 'tfjs-node-gpu', gpu: boolean, versions: Record<string, string>): Pick<RunDetail, 'backendDetail'> => ({
      backendDetail: { name, tfBackend: name === 'cpu' ? 'cpu' : 'tensorflow', gpu, skipped: [], versions },
    });
    expect(
      collectBackends([
        detail('tfjs-node-gpu', true, { 'tfjs-node-gpu': '4.22.0', 'tfjs-core': '4.22.0' }),
        detail('cpu', false, { 'tfjs-core': '4.22.0' }),
        { backendDetail: null },
        detail('tfjs-node-gpu', true, { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0' }),
        detail('tfjs-node-gpu', false, { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0' }),
      ]),
    ).toEqual([
      { name: 'cpu', gpu: false, versions: { 'tfjs-core': '4.22.0' } },
      { name: 'tfjs-node-gpu', gpu: true, versions: { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0' } },
      { name: 'tfjs-node-gpu', gpu: false, versions: { 'tfjs-core': '4.22.0', 'tfjs-node-gpu': '4.22.0' } },
    ]);
  });

  it('formats durations and file names', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(4.04)).toBe('4 s');
    expect(formatDuration(83.25)).toBe('1 min 23 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(reportFilename('Grokking & weight decay!')).toBe('grokking-weight-decay-report.html');
    expect(reportFilename('***')).toBe('project-report.html');
  });
});
