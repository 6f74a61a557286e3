import type { loadPlotly } from './plotly';

type Plotly = Awaited<ReturnType<typeof loadPlotly>>;

/** Which runs and settings produced a figure: stored with it and printed under it. */
export interface Provenance {
  app: string;
  exportedAt: string;
  experiment: string;
  preset: string | null;
  sweepIds: string[];
  runIds: string[];
  /** Human-readable grid or selection ("width 8, 16 × 2 seeds"). */
  selection: string;
  /** What the chart shows ("mean ± std over seeds of test error"). */
  shows: string;
  config: Record<string, unknown>;
}

export function provenanceCaption(p: Provenance): string {
  const runs = p.runIds.length <= 6 ? p.runIds.map((id) => id.slice(0, 8)).join(', ') : `${p.runIds.length} runs`;
  const sweep = p.sweepIds.length ? `sweep ${p.sweepIds.map((id) => id.slice(0, 8)).join(', ')} · ` : '';
  return `${sweep}${p.experiment}${p.preset && p.preset !== 'default' ? ` (preset ${p.preset})` : ''} · ${p.selection} · ${p.shows} · runs: ${runs} · Phenobook ${p.app}, ${p.exportedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

/** Breaks a caption into lines Plotly can draw (it does not wrap annotation text itself). */
export function wrapCaption(text: string, width = 150): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => l.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!)).join('<br>');
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * Renders the chart with its provenance caption underneath, as SVG (caption also in <desc> and the
 * provenance as JSON in <metadata>) or PNG, and returns the file to save.
 */
export async function renderFigure(
  plotly: Plotly,
  figure: { data: unknown[]; layout: Record<string, unknown> },
  provenance: Provenance,
  format: 'svg' | 'png',
): Promise<Blob> {
  const caption = provenanceCaption(provenance);
  const margin = { ...((figure.layout.margin as Record<string, number>) ?? {}), b: 130 };
  const annotations = [
    ...((figure.layout.annotations as unknown[]) ?? []),
    { text: wrapCaption(caption), xref: 'paper', yref: 'paper', x: 0, y: -0.2, xanchor: 'left', yanchor: 'top', showarrow: false, align: 'left', font: { size: 10, color: '#555' } },
  ];
  const layout = { ...figure.layout, margin, annotations, width: 900, height: 560, paper_bgcolor: '#ffffff' };
  const url = await plotly.toImage({ data: figure.data, layout } as never, { format, width: 900, height: 560 });
  if (format === 'png') return dataUrlToBlob(url);
  let svg = new TextDecoder().decode(dataUrlBytes(url).bytes);
  svg = svg.replace(/<svg[^>]*>/, (open) => `${open}<desc>${escapeXml(caption)}</desc><metadata>${escapeXml(JSON.stringify(provenance))}</metadata>`);
  return new Blob([svg], { type: 'image/svg+xml' });
}

/**
 * The bytes of a data: URL, decoded here rather than with fetch(): the app's CSP allows
 * connect-src 'self' only, so fetching a data: URL is refused.
 */
export function dataUrlBytes(url: string): { mime: string; bytes: Uint8Array } {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error('not a data: URL');
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const mime = meta.split(';')[0] || 'text/plain';
  if (meta.endsWith(';base64')) {
    const binary = atob(payload);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return { mime, bytes };
  }
  return { mime, bytes: new TextEncoder().encode(decodeURIComponent(payload)) };
}

export function dataUrlToBlob(url: string): Blob {
  const { mime, bytes } = dataUrlBytes(url);
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime });
}

export { download } from './download';
