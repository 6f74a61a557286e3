export interface Toast {
  id: number;
  message: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void | Promise<void> };
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(message: string, opts: { kind?: Toast['kind']; action?: Toast['action']; ms?: number } = {}): void {
    const toast: Toast = { id: this.next++, message, kind: opts.kind ?? 'info', action: opts.action };
    this.items = [...this.items, toast];
    setTimeout(() => this.dismiss(toast.id), opts.ms ?? (opts.action ? 8000 : 4000));
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
