import DOMPurify from 'dompurify';
import { Marked } from 'marked';

// GitHub-flavoured Markdown; raw HTML in the source is parsed and then sanitised like the rest.
const marked = new Marked({ gfm: true, async: false });

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
