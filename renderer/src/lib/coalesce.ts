/**
 * `fn` once, `ms` after the first call of a burst; later calls in the burst fold into it. Views
 * reload this way on host events, which arrive many times a second while runs train.
 */
export function coalesce(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const trigger = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  // Cancel drops the pending call only: a later call starts a new burst.
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return Object.assign(trigger, { cancel });
}
