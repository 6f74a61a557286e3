import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ATTACHMENT_HREF = /^attachment:([0-9a-f]{64})$/;
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// GitHub-flavoured Markdown; raw HTML in the source is parsed and then sanitised like the rest.
// `attachment:<sha256>` references become elements without a URL, marked with the hash: the
// component showing the note fills them with object URLs (see lib/attachment-urls.ts).
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    image({ href, text }) {
      const sha = ATTACHMENT_HREF.exec(href.trim())?.[1];
      if (!sha) return false;
      return `<img class="attachment-image" data-attachment="${sha}" alt="${escapeAttr(text)}">`;
    },
    link({ href, tokens }) {
      const sha = ATTACHMENT_HREF.exec(href.trim())?.[1];
      if (!sha) return false;
      return `<a class="attachment-link" data-attachment="${sha}">${this.parser.parseInline(tokens)}</a>`;
    },
  },
});

const SAFE_LINK = /^(https?:|mailto:|#)/i;

// Links leave the app in a new browsing context without access back to it; anything that is not
// a plain web, mail or in-page link loses its href (DOMPurify already drops javascript: ones).
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (!SAFE_LINK.test(href.trim())) node.removeAttribute('href');
    else if (!href.startsWith('#')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  }
});

/** Markdown to HTML that is safe to insert: scripts, event handlers and dangerous URLs removed. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string;
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}
