// Plotly is large (~4 MB): load it only when a chart is first shown.
import type * as PlotlyNamespace from 'plotly.js-dist';

type PlotlyModule = typeof PlotlyNamespace;

let loading: Promise<PlotlyModule> | undefined;

export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= import('plotly.js-dist').then((m) => ((m as unknown as { default?: PlotlyModule }).default ?? m) as PlotlyModule);
  return loading;
}
