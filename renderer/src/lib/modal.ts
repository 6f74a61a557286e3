/**
 * Attachment for a <dialog>: opens it modal, focuses the element matching `focus` (focus is
 * trapped by the browser; Escape raises `cancel`, which the component turns into its onCancel),
 * and closes it when the component goes away.
 */
export function modal(focus: string) {
  return (node: HTMLDialogElement) => {
    node.showModal();
    node.querySelector<HTMLElement>(focus)?.focus();
    return () => node.close();
  };
}
