/**
 * Hostile SVG figures (issue 18, defects 4 and 5, and the usual XSS cheat-sheet vectors), shared by
 * the unit test of every way a figure enters or leaves and the e2e test that opens sanitised
 * files on their own in Chromium. `refused`: the figure schema refuses it outright (400);
 * otherwise it is accepted and sanitised.
 */
export interface SvgPayload {
  name: string;
  svg: string;
  refused: boolean;
}

const open = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">';
const wrap = (inner: string) => `${open}<rect id="target" width="200" height="100" fill="#eee"/>${inner}</svg>`;

export const SVG_PAYLOADS: SvgPayload[] = [
  { name: 'script element', svg: wrap('<script>alert(1)</script>'), refused: true },
  { name: 'onload on the root', svg: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5" height="5"/></svg>', refused: true },
  { name: 'onclick on a shape', svg: wrap('<circle r="40" cx="50" cy="50" onclick="alert(1)"/>'), refused: true },
  { name: 'foreignObject with HTML', svg: wrap('<foreignObject width="100" height="100"><iframe src="javascript:alert(1)"></iframe></foreignObject>'), refused: true },
  { name: 'javascript: link', svg: wrap('<a href="javascript:alert(1)"><text x="10" y="20">click</text></a>'), refused: true },
  // Accepted by the schema's pattern (it cannot see through entities): the sanitiser must catch them.
  { name: 'entity-encoded javascript: link (hash recomputed)', svg: wrap('<a href="&#106;avascript:alert(1)"><rect width="200" height="100" fill="red"/></a>'), refused: false },
  { name: 'hex-entity javascript: xlink:href', svg: wrap('<a xlink:href="&#x6A;avascript&#x3A;alert(1)"><rect width="200" height="100"/></a>'), refused: false },
  { name: 'tab inside the scheme', svg: wrap('<a href="java&#9;script:alert(1)"><rect width="200" height="100"/></a>'), refused: false },
  { name: 'external use', svg: wrap('<use href="http://127.0.0.1:9/evil.svg#x"/>'), refused: false },
  { name: 'external xlink:href use', svg: wrap('<use xlink:href="https://example.com/sprite.svg#icon"/>'), refused: false },
  { name: 'external image', svg: wrap('<image href="http://127.0.0.1:9/track.png" width="10" height="10"/>'), refused: false },
  { name: 'data:text/html image', svg: wrap('<image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" width="10" height="10"/>'), refused: false },
  { name: 'set animating href to javascript', svg: wrap('<a><set attributeName="href" to="&#106;avascript:alert(1)"/><rect width="200" height="100"/></a>'), refused: false },
  { name: 'animate onbegin via entity name', svg: wrap('<animate attributeName="x" values="0;1" dur="1s" begin="0s"/>'), refused: false },
  { name: 'style element with @import', svg: wrap('<style>@import url(http://127.0.0.1:9/x.css); rect { fill: red }</style>'), refused: false },
  { name: 'style attribute with external url()', svg: wrap('<rect width="10" height="10" style="fill: url(http://127.0.0.1:9/p.svg#g)"/>'), refused: false },
  { name: 'fill attribute with external url()', svg: wrap('<rect width="10" height="10" fill="url(\'https://example.com/x.svg#p\')"/>'), refused: false },
  { name: 'iframe element', svg: wrap('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'), refused: false },
  { name: 'CDATA script text', svg: wrap('<text><![CDATA[</text><script>alert(1)</script>]]></text>'), refused: true },
  { name: 'entity-encoded event attribute name in text', svg: wrap('<text x="5" y="15">o&#110;load=alert(1) javascript&#58;x</text>'), refused: false },
  { name: 'handler attribute value smuggling', svg: wrap('<text data-unformatted="x onclick=alert(1)" x="5" y="15">t</text>'), refused: true },
  { name: 'xml-stylesheet processing instruction', svg: `<?xml version="1.0"?>${wrap('<?xml-stylesheet href="http://127.0.0.1:9/x.xsl" type="text/xsl"?>')}`, refused: false },
  { name: 'embed and object', svg: wrap('<embed src="http://127.0.0.1:9/x.swf"/><object data="http://127.0.0.1:9/x"></object>'), refused: false },
  { name: 'vbscript link', svg: wrap('<a href="vbscript:msgbox(1)"><rect width="200" height="100"/></a>'), refused: false },
  { name: 'namespace swap to XHTML', svg: '<svg xmlns="http://www.w3.org/1999/xhtml"><rect width="5" height="5"/></svg>', refused: false },
];

/** A chart as the app draws it (Plotly's structure, trimmed): must come through sanitising intact in what it shows. */
export const CHART_SVG =
  '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="900" height="560" viewBox="0 0 900 560">' +
  '<desc>sweep 1 · double-descent</desc><metadata>{"app":"0.1.0"}</metadata>' +
  '<rect x="0" y="0" width="900" height="560" style="fill: rgb(255, 255, 255); fill-opacity: 1;"/>' +
  '<defs><clipPath id="clip1"><rect width="800" height="400"/></clipPath><linearGradient id="g1"><stop offset="0" stop-color="#1f77b4"/></linearGradient></defs>' +
  '<g class="cartesianlayer"><g class="subplot xy" clip-path="url(#clip1)"><path class="js-line" d="M0,10L5,20L10,5" style="vector-effect: non-scaling-stroke; fill: none; stroke: rgb(31, 119, 180); stroke-width: 2px;"/>' +
  '<rect width="10" height="10" fill="url(#g1)"/><use xlink:href="#clip1"/></g><g class="scrollbox" transform=""><rect width="1" height="1"/></g></g>' +
  '<g class="infolayer"><text class="xtitle" x="450" y="540" text-anchor="middle" data-unformatted="width" style="font-family: \'Open Sans\', verdana, arial, sans-serif; font-size: 14px;">width <tspan dy="1">(log)</tspan></text></g></svg>';
