/**
 * The stylesheet of the HTML project report, inlined into the document (the report opens offline
 * and its Content-Security-Policy allows no external style, font or image). System fonts only;
 * everything that carries meaning (badges, warnings) is drawn with borders and text so it survives
 * printing without backgrounds. No `url(`, no `@import`: nothing here can make a request.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light;
  --ink: #1d232b;
  --muted: #5b6572;
  --rule: #d5dae1;
  --accent: #2457a6;
  --ok: #1c7a3e;
  --bad: #b3261e;
  --warn: #8a5a00;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0 auto;
  max-width: 60rem;
  padding: 2rem 1.5rem 4rem;
  color: var(--ink);
  background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
}
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.4em 0 0.5em; }
h1 { font-size: 1.9rem; margin-top: 0; }
h2 { font-size: 1.45rem; border-bottom: 2px solid var(--ink); padding-bottom: 0.2em; }
h3 { font-size: 1.2rem; }
h4 { font-size: 1.05rem; }
h5, h6 { font-size: 1rem; }
a { color: var(--accent); }
code, pre, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid var(--rule); padding: 0.4em 0.8em; }
blockquote { margin: 0.5em 0; padding: 0 0 0 0.9em; border-left: 3px solid var(--rule); color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid var(--rule); padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
img { max-width: 100%; height: auto; }
.muted { color: var(--muted); }
.small { font-size: 0.88em; }
.plain { white-space: pre-wrap; overflow-wrap: anywhere; }
.hash { overflow-wrap: anywhere; word-break: break-all; }
.title-block { border-bottom: 1px solid var(--rule); padding-bottom: 1em; margin-bottom: 1em; }
.title-block dl, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 0.6em 0; }
dl dt { color: var(--muted); }
dl dd { margin: 0; }
.tag { display: inline-block; border: 1px solid var(--rule); border-radius: 0.8em; padding: 0 0.55em; margin: 0 0.25em 0.2em 0; font-size: 0.85em; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 0.3em; padding: 0 0.4em; font-size: 0.8em; font-weight: 600; white-space: nowrap; vertical-align: 0.1em; }
.status-answered, .verdict-supported, .intact { color: var(--ok); }
.status-not-applicable, .verdict-inconclusive { color: var(--muted); }
.status-in-progress, .outside, .warning { color: var(--warn); }
.status-open { color: var(--bad); }
.verdict-refuted, .broken { color: var(--bad); }
.warning { border: 1px solid currentColor; padding: 0.3em 0.6em; border-radius: 0.3em; }
.bar { display: inline-block; width: 8em; height: 0.6em; border: 1px solid var(--ink); vertical-align: middle; margin-right: 0.5em; }
.bar > span { display: block; height: 100%; background: var(--ink); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
nav.contents ol { padding-left: 1.4em; }
.question { border-top: 1px solid var(--rule); padding: 0.6em 0 0.2em; }
.question .q-text { font-weight: 600; margin: 0 0 0.3em; }
.answer > :first-child { margin-top: 0.2em; }
.hypothesis, .figure, .note, .confounder { border-top: 1px solid var(--rule); padding-top: 0.2em; margin-top: 1.2em; }
h2 + .hypothesis, h2 + .figure, h2 + .note, h2 + .confounder { border-top: none; margin-top: 0; }
.prediction { margin: 0.6em 0; }
.prediction > p { margin: 0.2em 0; }
figure { margin: 0.8em 0; }
figure img { display: block; margin: 0 auto; border: 1px solid var(--rule); }
figcaption { margin-top: 0.4em; }
.provenance th { width: 11em; }
.config td, .config th { font-size: 0.95em; }
.missing { border: 1px dashed var(--rule); padding: 1.5em; text-align: center; color: var(--muted); }
footer { margin-top: 3em; border-top: 1px solid var(--rule); padding-top: 0.5em; color: var(--muted); font-size: 0.85em; }
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
@media print {
  html { font-size: 10.5pt; }
  body { max-width: none; padding: 0; background: none; }
  a { color: inherit; text-decoration: none; }
  section.major { break-before: page; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; }
  figure, tr, .question, .prediction, dl, .bar { break-inside: avoid; }
  thead { display: table-header-group; }
  nav.contents { break-after: page; }
}
`;
