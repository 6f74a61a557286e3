/**
 * Prints an HTML document in place, through a hidden frame of this page: no new window, so it
 * works where pop-ups are denied (the desktop window denies every window.open) and needs no
 * blob: frame source in the CSP. The frame is sandboxed without scripts; `allow-same-origin`
 * only lets this page call its print(), `allow-modals` lets the print dialog open.
 */
let current: HTMLIFrameElement | null = null;

export function printHtml(html: string, title: string): void {
  current?.remove();
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-same-origin allow-modals');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.title = title;
  frame.dataset.print = 'report';
  // Laid out at a real page size (a zero-size frame prints blank in some engines), but unseen.
  Object.assign(frame.style, { position: 'fixed', right: '0', bottom: '0', width: '210mm', height: '297mm', border: '0', visibility: 'hidden', pointerEvents: 'none' });
  frame.addEventListener(
    'load',
    () => {
      const win = frame.contentWindow;
      if (!win) return;
      win.addEventListener('afterprint', () => frame.remove(), { once: true });
      win.focus();
      win.print();
    },
    { once: true },
  );
  frame.srcdoc = html;
  document.body.append(frame);
  current = frame;
}
