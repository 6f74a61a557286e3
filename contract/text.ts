import { z } from 'zod';

// Control characters other than tab/newline/carriage return never belong in user text.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A string that is well-formed UTF-16 (no lone surrogates) and free of control characters. */
export function cleanText(opts: { label: string; max: number; min?: number; multiline?: boolean }) {
  const { label, max, min = 0, multiline = false } = opts;
  return z
    .string({ error: `${label} must be text` })
    .max(max, { error: `${label} must be at most ${max} characters` })
    .refine((s) => s.isWellFormed(), { error: `${label} contains invalid characters (broken Unicode)` })
    .refine((s) => !CONTROL_CHARS.test(s) && (multiline || !/[\r\n]/.test(s)), {
      error: `${label} contains control characters`,
    })
    .transform((s) => s.trim())
    .refine((s) => s.length >= min, {
      error: min === 1 ? `${label} is required` : `${label} must be at least ${min} characters`,
    });
}
