// Plotly is large (~4 MB): load it only when a chart is first shown.
import type * as PlotlyNamespace from 'plotly.js-dist';

type PlotlyModule = typeof PlotlyNamespace;

let loading: Promise<PlotlyModule> | undefined;

export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= import('plotly.js-dist').then((m) => ((m as unknown as { default?: PlotlyModule }).default ?? m) as PlotlyModule);
  return loading;
}

/** A hex colour (#rrggbb) with transparency, for bands and faint markers. */
export function rgba(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** A band as two invisible edges, the lower filled up to the upper (Plotly's 'tonexty'). */
export function bandTraces(
  x: readonly (number | string)[],
  lower: readonly number[],
  upper: readonly number[],
  color: string,
  name: string,
): Record<string, unknown>[] {
  return [
    { type: 'scatter', mode: 'lines', x, y: upper, line: { width: 0, color }, hoverinfo: 'skip', showlegend: false, name: `${name} upper` },
    { type: 'scatter', mode: 'lines', x, y: lower, line: { width: 0, color }, fill: 'tonexty', fillcolor: rgba(color, 0.18), hoverinfo: 'skip', showlegend: false, name: `${name} lower` },
  ];
}

/** Draws (or redraws in place) a figure into an element; rejects with Plotly's error. */
export async function drawFigure(el: HTMLElement, figure: { data: unknown[]; layout: Record<string, unknown> }): Promise<void> {
  const Plotly = await loadPlotly();
  await Plotly.react(el, figure.data as never, figure.layout as never, { displaylogo: false, responsive: true });
}

/** Frees what Plotly keeps for an element (its listeners and resize observer) when a chart unmounts. */
export function purgeFigure(el: HTMLElement | undefined): void {
  if (el) void loadPlotly().then((Plotly) => Plotly.purge(el));
}
