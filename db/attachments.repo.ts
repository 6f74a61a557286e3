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

/** Attached files: blobs keyed by their SHA-256 (stored once), and each time one was attached. */
export class AttachmentsRepo {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
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
}
