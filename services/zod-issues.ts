import type { z } from 'zod';
import type { FieldIssue } from '../contract/result';

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
