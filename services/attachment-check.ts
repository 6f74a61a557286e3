import { createHash } from 'node:crypto';
import {
  ATTACHMENT_EXTENSIONS,
  ATTACHMENT_TYPES,
  attachmentLimit,
  type AttachmentMediaType,
} from '../contract/attachments';
import { ServiceError } from './errors';
import { sanitizeSvg } from './svg-sanitize';

/**
 * What a file really is, from its bytes and its name together: the name says what the researcher
 * meant, the bytes say what it is, and both must agree (a "plot.png" that is HTML is refused).
 * SVGs go through the figures' allow-list sanitiser on the way in, so what is stored is inert.
 */

const MIB = 1024 * 1024;

/** The content address of a file. */
export const sha256OfBytes = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The media type a file name declares, or null for a type that may not be attached. */
export function typeOfName(name: string): AttachmentMediaType | null {
  const lower = name.toLowerCase();
  for (const [type, endings] of Object.entries(ATTACHMENT_TYPES)) {
    if ((endings as readonly string[]).some((e) => lower.endsWith(e))) return type as AttachmentMediaType;
  }
  return null;
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

/** Text with a prologue (XML declaration, comments, doctype) before an <svg> root. */
const SVG_ROOT = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)\s*)*<svg[\s>]/i;
/** Markup a browser would run as a page: refused whatever the name says. */
const HTML_START = /^\uFEFF?\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html|head|body|script|iframe)\b/i;
/** Control characters no text file holds (tab, newlines and form feed are fine). */
const BINARY_CHARS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/;

export type Sniffed = 'image/png' | 'image/jpeg' | 'application/pdf' | 'image/svg+xml' | 'html' | 'text' | 'binary';

/** What the bytes are, by their magic numbers (binary formats) or their text. */
export function sniff(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, PDF)) return 'application/pdf';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'binary';
  }
  if (BINARY_CHARS.test(text)) return 'binary';
  if (SVG_ROOT.test(text)) return 'image/svg+xml';
  if (HTML_START.test(text)) return 'html';
  return 'text';
}

const DESCRIBED: Record<Sniffed, string> = {
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'application/pdf': 'a PDF',
  'image/svg+xml': 'an SVG image',
  html: 'an HTML page',
  text: 'plain text',
  binary: 'binary data of an unknown kind',
};

const refuse = (message: string, path = 'data') => new ServiceError('invalid_input', message, [{ path, message }]);

/** A file as it may be stored: its media type and its bytes (an SVG sanitised). */
export interface CheckedFile {
  mediaType: AttachmentMediaType;
  bytes: Uint8Array;
}

/**
 * Checks a file before anything is written: a type that may be attached, within its size limit,
 * bytes that are what the name says. Throws a ServiceError that names the problem.
 */
export function checkAttachment(name: string, bytes: Uint8Array): CheckedFile {
  const declared = typeOfName(name);
  if (!declared) {
    throw refuse(`“${name}” is not a type that can be attached: use one of ${ATTACHMENT_EXTENSIONS.join(', ')}`, 'name');
  }
  return checkBytes(declared, bytes, `“${name}”`);
}

/** The checks of a file whose media type is declared (an attachment, or one carried in a bundle). */
export function checkBytes(declared: AttachmentMediaType, bytes: Uint8Array, label: string): CheckedFile {
  const limit = attachmentLimit(declared);
  if (bytes.length > limit) {
    throw new ServiceError('payload_too_large', `${label} is ${(bytes.length / MIB).toFixed(1)} MiB; files of this type are at most ${limit / MIB} MiB`, [
      { path: 'data', message: `at most ${limit / MIB} MiB` },
    ]);
  }
  if (bytes.length === 0) throw refuse(`${label} is empty`);
  const found = sniff(bytes);
  const isText = declared === 'text/csv' || declared === 'application/json' || declared === 'text/plain';
  if (isText ? found !== 'text' : found !== declared) {
    throw refuse(`${label} is named as ${isText ? 'a text file' : DESCRIBED[declared as Sniffed]} but its bytes are ${DESCRIBED[found]}: not attached`);
  }
  if (declared === 'application/json') {
    try {
      JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw refuse(`${label} is not valid JSON: not attached`);
    }
  }
  if (declared === 'image/svg+xml') {
    const clean = sanitizeSvg(new TextDecoder().decode(bytes));
    if (!clean) throw refuse(`${label} has no SVG content left once scripts and external references are removed`);
    return { mediaType: declared, bytes: new TextEncoder().encode(clean) };
  }
  return { mediaType: declared, bytes };
}
