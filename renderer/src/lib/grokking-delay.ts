/** A stored series as the run page keeps it: evaluated steps and values (null = not finite). */
interface Series {
  steps: readonly number[];
  values: readonly (number | null)[];
}

const firstStepAtLeast = (s: Series, threshold: number): number | null => {
  const i = s.values.findIndex((v) => v !== null && v >= threshold);
  return i < 0 ? null : s.steps[i]!;
};

/**
 * The grokking delay as the paper's phenomenon is read: the first evaluated step with train
 * accuracy 1, the first with test accuracy ≥ threshold, and the steps between them.
 */
export function grokkingDelay(train: Series, test: Series, threshold = 0.9) {
  const trainFit = firstStepAtLeast(train, 1);
  const testReached = firstStepAtLeast(test, threshold);
  return { trainFit, testReached, threshold, delay: trainFit !== null && testReached !== null ? testReached - trainFit : null };
}
