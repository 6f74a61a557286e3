import type { FieldIssue } from './result';

/**
 * Checks on the shape of untrusted input that come before any schema: nesting depth (a schema
 * walks input recursively, and so do error formatters: 5,000 levels overflowed the stack) and
 * keys that would reach Object.prototype. Iterative, so no input can overflow it.
 */

/** Deeper than any operation's valid input (the deepest, a prediction's condition value, is 5). */
export const MAX_INPUT_DEPTH = 16;

/** Keys that mean something to JavaScript objects: never a field, knob, preset or name. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** The first problem with the input's shape, or null: nested deeper than `maxDepth`, a "__proto__" key, or not plain JSON. */
export function inputShapeIssue(input: unknown, maxDepth = MAX_INPUT_DEPTH): FieldIssue | null {
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= maxDepth) {
      return { path: path.join('.'), message: `nested too deeply (at most ${maxDepth} levels)` };
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype) {
      // JSON and structured clone make plain objects only; anything else (a null prototype, a class)
      // could make a schema coerce it (zod compares an object `length` with its limit).
      return { path: path.join('.'), message: 'must be plain JSON (an object, list, text, number, true/false or null)' };
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, String(i)] });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return { path: [...path, key].join('.'), message: 'the key __proto__ is not allowed' };
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return null;
}

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`, read without parsing it (strings
 * skipped, escapes included), so that a hostile body is refused before JSON.parse builds it.
 */
export function jsonTextTooDeep(text: string, maxDepth = MAX_INPUT_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A value as it may appear in a message: short, and never by calling its own toString. */
export function shownInput(value: unknown): string {
  if (typeof value === 'string') return `“${value.slice(0, 40)}”`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Own-property lookup by a name that came from input: never a prototype member. */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
