import sanitizeHtml from 'sanitize-html';

/**
 * Figures are SVG text that may come from anyone (a bundle, a crafted API call). Whatever enters
 * or leaves the notebook goes through this allow-list: parsed as XML by htmlparser2 (entities
 * decoded first, so `&#106;avascript:` is seen as `javascript:`), re-serialised with only the
 * elements and attributes a chart needs, and no reference outside the document: `href` only to
 * `#fragments` (and `data:image/…` on `<image>`), `url(…)` only to `#fragments`. No scripts, event
 * handlers, links, foreignObject, style sheets or animation survive, so a downloaded SVG is inert
 * even when opened on its own.
 */

const ELEMENTS = [
  'svg', 'g', 'defs', 'title', 'desc', 'metadata', 'symbol', 'use', 'image',
  'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'text', 'tspan', 'textPath',
  'clipPath', 'mask', 'pattern', 'marker', 'linearGradient', 'radialGradient', 'stop', 'filter',
  'feGaussianBlur', 'feOffset', 'feBlend', 'feFlood', 'feComposite', 'feMerge', 'feMergeNode', 'feColorMatrix',
];

const ATTRIBUTES = new Set([
  'id', 'class', 'style', 'transform', 'viewBox', 'preserveAspectRatio', 'width', 'height', 'x', 'y', 'x1', 'x2', 'y1', 'y2',
  'cx', 'cy', 'r', 'rx', 'ry', 'd', 'points', 'dx', 'dy', 'rotate', 'textLength', 'lengthAdjust', 'pathLength', 'version',
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-dashoffset',
  'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit', 'opacity', 'color', 'visibility', 'display', 'overflow',
  'clip-path', 'clip-rule', 'clipPathUnits', 'mask', 'maskUnits', 'maskContentUnits', 'filter', 'filterUnits', 'primitiveUnits',
  'marker-start', 'marker-mid', 'marker-end', 'markerWidth', 'markerHeight', 'markerUnits', 'refX', 'refY', 'orient',
  'font-family', 'font-size', 'font-weight', 'font-style', 'font-variant', 'text-anchor', 'dominant-baseline',
  'alignment-baseline', 'baseline-shift', 'letter-spacing', 'word-spacing', 'text-decoration', 'writing-mode', 'white-space',
  'offset', 'stop-color', 'stop-opacity', 'gradientUnits', 'gradientTransform', 'spreadMethod', 'fx', 'fy', 'fr',
  'patternUnits', 'patternContentUnits', 'patternTransform', 'shape-rendering', 'text-rendering', 'image-rendering',
  'vector-effect', 'pointer-events', 'stdDeviation', 'in', 'in2', 'result', 'mode', 'operator', 'values', 'type',
  'flood-color', 'flood-opacity', 'k1', 'k2', 'k3', 'k4', 'xmlns', 'xmlns:xlink', 'href', 'xlink:href', 'xml:space',
]);

const NAMESPACES: Record<string, string> = { xmlns: 'http://www.w3.org/2000/svg', 'xmlns:xlink': 'http://www.w3.org/1999/xlink' };
const FRAGMENT = /^#[A-Za-z_][\w.:-]*$/;
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/;
/** Anything in CSS or a presentation attribute that could fetch, run or import. */
const ACTIVE_CSS = /expression\s*\(|javascript:|vbscript:|@import|behavior\s*:|-moz-binding|\\/i;
/** Every `url(…)` in a value must point inside the document. */
const URL_REF = /url\s*\(\s*(['"]?)(.*?)\1\s*\)/gi;

function safeValue(name: string, value: string, tag: string): boolean {
  if (name === 'xmlns' || name === 'xmlns:xlink') return value === NAMESPACES[name];
  if (name === 'href' || name === 'xlink:href') {
    const v = value.trim();
    return FRAGMENT.test(v) || (tag === 'image' && DATA_IMAGE.test(v));
  }
  if (ACTIVE_CSS.test(value) || /\bon[a-z]+\s*=/i.test(value)) return false;
  for (const m of value.matchAll(URL_REF)) if (!FRAGMENT.test(m[2]!.trim())) return false;
  return true;
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ELEMENTS,
  // Attributes are filtered below (names and values); here every surviving one may pass.
  allowedAttributes: false,
  allowedSchemes: [],
  allowedSchemesByTag: { image: ['data'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'foreignObject', 'iframe', 'object', 'embed'],
  parser: { xmlMode: true, decodeEntities: true },
  transformTags: {
    '*': (tagName, attribs) => {
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(attribs)) {
        // Empty values are dropped: they mean nothing in SVG, and sanitize-html would write them bare (not XML).
        if (value !== '' && (ATTRIBUTES.has(name) || /^data-[a-z][a-z0-9-]*$/.test(name)) && safeValue(name, value, tagName)) kept[name] = value;
      }
      return { tagName, attribs: kept };
    },
  },
};

/** The SVG with only allowed elements and attributes and no external reference; '' when nothing of an <svg> is left. */
export function sanitizeSvg(svg: string): string {
  // Text may mention a scheme; written with a character reference it reads the same and never matches one.
  const clean = sanitizeHtml(svg, OPTIONS).trim().replace(/(java|vb)script:/gi, '$1script&#58;');
  return clean.startsWith('<svg') ? clean : '';
}
