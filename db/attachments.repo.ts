import type Database from 'better-sqlite3';
import type { Attachment, AttachmentMediaType } from '../contract/attachments';

interface AttachmentRow {
  id: string;
  project_id: string;
  note_id: string | null;
  sha256: string;
  name: string;
  media_type: string;
  size: number;
  created_at: string;
}

const toAttachment = (r: AttachmentRow): Attachment => ({
  id: r.id,
  projectId: r.project_id,
  noteId: r.note_id,
  sha256: r.sha256,
  name: r.name,
  mediaType: r.media_type as AttachmentMediaType,
  size: r.size,
  createdAt: r.created_at,
});

const COLUMNS = 'a.id, a.project_id, a.note_id, a.sha256, a.name, b.media_type, b.size, a.created_at';

/** Where a file was attached, as a bundle carries it (the bytes travel once per file, beside it). */
export type BundleAttachmentRow = Omit<AttachmentRow, 'project_id' | 'media_type' | 'size'>;

/** An attached file's bytes, as a bundle carries them. */
export interface BundleAttachmentFileRow {
  sha256: string;
  media_type: string;
  data: Buffer;
}

/** Attached files: blobs keyed by their SHA-256 (stored once), and each time one was attached. */
export class AttachmentsRepo {
  private readonly stmts;

  /** Reading the rows a bundle carries, and writing them back on import (services/bundle.service.ts). */
  private readonly bundle;

  constructor(private readonly db: Database.Database) {
    this.bundle = {
      rows: db.prepare<[string], BundleAttachmentRow>(
        'SELECT id, note_id, sha256, name, created_at FROM attachments WHERE project_id = ? ORDER BY created_at, id',
      ),
      files: db.prepare<[string], BundleAttachmentFileRow>(
        `SELECT b.sha256, b.media_type, b.data FROM attachment_blobs b
         WHERE b.sha256 IN (SELECT sha256 FROM attachments WHERE project_id = ?) ORDER BY b.sha256`,
      ),
      // The same bytes may be stored already (the project imported next to its original): kept once.
      insertFile: db.prepare(
        `INSERT OR IGNORE INTO attachment_blobs (sha256, media_type, size, data, created_at)
         VALUES (@sha256, @media_type, @size, @data, @created_at)`,
      ),
      insert: db.prepare(
        `INSERT INTO attachments (id, project_id, note_id, sha256, name, created_at)
         VALUES (@id, @project_id, @note_id, @sha256, @name, @created_at)`,
      ),
    };
    this.stmts = {
      insertBlob: db.prepare(
        `INSERT OR IGNORE INTO attachment_blobs (sha256, media_type, size, data, created_at)
         VALUES (@sha256, @mediaType, @size, @data, @now)`,
      ),
      insert: db.prepare(
        `INSERT INTO attachments (id, project_id, note_id, sha256, name, created_at)
         VALUES (@id, @projectId, @noteId, @sha256, @name, @now)`,
      ),
      byId: db.prepare<[string], AttachmentRow>(`SELECT ${COLUMNS} FROM attachments a JOIN attachment_blobs b USING (sha256) WHERE a.id = ?`),
      byProject: db.prepare<[string], AttachmentRow>(
        `SELECT ${COLUMNS} FROM attachments a JOIN attachment_blobs b USING (sha256) WHERE a.project_id = ? ORDER BY a.created_at, a.id`,
      ),
      // The first time this project attached these bytes names them.
      byProjectSha: db.prepare<[string, string], AttachmentRow>(
        `SELECT ${COLUMNS} FROM attachments a JOIN attachment_blobs b USING (sha256)
         WHERE a.project_id = ? AND a.sha256 = ? ORDER BY a.created_at, a.id LIMIT 1`,
      ),
      data: db.prepare<[string], { data: Buffer }>('SELECT data FROM attachment_blobs WHERE sha256 = ?'),
    };
  }

  /** Stores the blob unless these bytes are stored already, and links it; one transaction. */
  add(a: { id: string; projectId: string; noteId: string | null; sha256: string; name: string; mediaType: AttachmentMediaType; data: Uint8Array; now: string }): void {
    this.db.transaction(() => {
      this.insertBlob(a);
      this.stmts.insert.run({ id: a.id, projectId: a.projectId, noteId: a.noteId, sha256: a.sha256, name: a.name, now: a.now });
    })();
  }

  /** A blob, unless the same bytes are stored already (then nothing changes). */
  insertBlob(b: { sha256: string; mediaType: AttachmentMediaType; data: Uint8Array; now: string }): void {
    this.stmts.insertBlob.run({ sha256: b.sha256, mediaType: b.mediaType, size: b.data.length, data: Buffer.from(b.data.buffer, b.data.byteOffset, b.data.length), now: b.now });
  }

  get(id: string): Attachment | undefined {
    const row = this.stmts.byId.get(id);
    return row && toAttachment(row);
  }

  list(projectId: string): Attachment[] {
    return this.stmts.byProject.all(projectId).map(toAttachment);
  }

  /** The attachment of these bytes in this project (a project only reads what it attached). */
  inProject(projectId: string, sha256: string): Attachment | undefined {
    const row = this.stmts.byProjectSha.get(projectId, sha256);
    return row && toAttachment(row);
  }

  data(sha256: string): Buffer | undefined {
    return this.stmts.data.get(sha256)?.data;
  }

  /** A project's attachments for a bundle, oldest first. */
  bundleRows(projectId: string): BundleAttachmentRow[] {
    return this.bundle.rows.all(projectId);
  }

  /** The bytes of every distinct file a project has attached, once each, for a bundle. */
  bundleFiles(projectId: string): BundleAttachmentFileRow[] {
    return this.bundle.files.all(projectId);
  }

  /** An attached file's bytes from a bundle (unless stored already). */
  insertFileFromBundle(f: { sha256: string; media_type: string; data: Uint8Array; created_at: string }): void {
    this.bundle.insertFile.run({ ...f, size: f.data.length, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length) });
  }

  /** Where a file was attached, from a bundle (its bytes first). */
  insertFromBundle(projectId: string, a: BundleAttachmentRow): void {
    this.bundle.insert.run({ project_id: projectId, ...a });
  }
}
