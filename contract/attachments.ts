import { z } from 'zod';
import { NoteIdSchema } from './notes';
import { ProjectIdSchema } from './projects';
import { cleanText } from './text';

/**
 * Files made outside Phenobook (a matplotlib PNG, an SVG, a PDF, a small CSV) attached to a
 * project and its notes. The bytes travel as base64 (the operations carry JSON), like bundles.
 * Notes refer to an attachment by its content hash: `![name](attachment:<sha256>)`.
 */

const MIB = 1024 * 1024;

export const ATTACHMENT_LIMITS = {
  /** Images and PDFs. */
  bytes: 20 * MIB,
  /** Data files (CSV, JSON, plain text) are meant to be small. */
  dataBytes: 5 * MIB,
  name: 255,
} as const;

/** What may be attached: media type → the file name endings that declare it. */
export const ATTACHMENT_TYPES = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/svg+xml': ['.svg'],
  'application/pdf': ['.pdf'],
  'text/csv': ['.csv'],
  'application/json': ['.json'],
  'text/plain': ['.txt'],
} as const satisfies Record<string, readonly string[]>;
export type AttachmentMediaType = keyof typeof ATTACHMENT_TYPES;
export const ATTACHMENT_MEDIA_TYPES = Object.keys(ATTACHMENT_TYPES) as AttachmentMediaType[];

/** For a file input's `accept` and for messages: ".png, .jpg, …". */
export const ATTACHMENT_EXTENSIONS = Object.values(ATTACHMENT_TYPES).flat();

export const isImageType = (t: string): boolean => t === 'image/png' || t === 'image/jpeg' || t === 'image/svg+xml';

/** The largest file of this media type, in bytes. */
export const attachmentLimit = (t: AttachmentMediaType): number => (t.startsWith('image/') || t === 'application/pdf' ? ATTACHMENT_LIMITS.bytes : ATTACHMENT_LIMITS.dataBytes);

export const Sha256Schema = z.string({ error: 'sha256 must be text' }).regex(/^[0-9a-f]{64}$/, { error: 'sha256 must be a SHA-256 hex digest' });
export const AttachmentIdSchema = z.uuid({ error: 'Attachment id must be a UUID' });

/** A file's own name, never a path: only what follows the last slash is kept. */
export const AttachmentNameSchema = cleanText({ label: 'File name', max: ATTACHMENT_LIMITS.name, min: 1 })
  .transform((s) => s.split(/[\\/]/).at(-1)!.trim())
  .refine((s) => s.length > 0 && s !== '.' && s !== '..', { error: 'File name must name a file' });

/** Base64 of at most the largest attachment (the exact limit per type is checked once decoded). */
const Base64Data = z
  .string({ error: 'data must be the file, base64-encoded' })
  .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 4, { error: `The file is larger than ${ATTACHMENT_LIMITS.bytes / MIB} MiB` })
  .refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s), { error: 'data must be base64' });

export const AttachmentAddSchema = z.strictObject({
  projectId: ProjectIdSchema,
  /** The note it was dropped or pasted into; null while that note is not saved yet. */
  noteId: NoteIdSchema.nullable().default(null),
  name: AttachmentNameSchema,
  data: Base64Data,
});
export type AttachmentAdd = z.input<typeof AttachmentAddSchema>;

export const AttachmentGetSchema = z.strictObject({ projectId: ProjectIdSchema, sha256: Sha256Schema });
export const AttachmentListSchema = z.strictObject({ projectId: ProjectIdSchema });

export interface Attachment {
  id: string;
  projectId: string;
  noteId: string | null;
  sha256: string;
  name: string;
  mediaType: AttachmentMediaType;
  size: number;
  createdAt: string;
}

/** An attachment with its bytes, base64-encoded. */
export interface AttachmentData extends Attachment {
  data: string;
}

/** Markdown that shows an attachment in a note: inline for images, a link for other files. */
export function attachmentMarkdown(a: Pick<Attachment, 'name' | 'sha256' | 'mediaType'>): string {
  const label = a.name.replace(/[[\]\\]/g, '\\$&');
  return `${isImageType(a.mediaType) ? '!' : ''}[${label}](attachment:${a.sha256})`;
}
