/** How far a read has got: `done` of `total` units (files, runs or bytes) in the named phase. */
export type ImportProgress = (p: { done: number; total: number; phase: string }) => void;
