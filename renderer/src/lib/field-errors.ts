import type { ApiError } from '../../../contract/result';

/** Groups an error's field issues by top-level field name, for inline display. */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error?.issues ?? []) {
    const key = issue.path.split('.')[0] || '_';
    out[key] ??= issue.message;
  }
  return out;
}
