import type { AppEvent } from '../contract/events';

export type EventListener = (event: AppEvent) => void;

/** Fan-out of host events to every connected renderer (IPC windows, browser streams). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        console.error('[events] listener failed:', err);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
