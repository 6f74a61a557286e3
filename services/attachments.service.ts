import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Attachment, AttachmentAddSchema, AttachmentData } from '../contract/attachments';
import type { AttachmentsRepo } from '../db/attachments.repo';
import type { NotesRepo } from '../db/notes.repo';
import type { ProjectsRepo } from '../db/projects.repo';
import { checkAttachment, sha256OfBytes } from './attachment-check';
import { notFound, ServiceError } from './errors';
import type { EventBus } from './event-bus';
import type { Clock } from './projects.service';

/** Files attached to a project and its notes, stored once per distinct content. */
export class AttachmentsService {
  constructor(
    private readonly repo: AttachmentsRepo,
    private readonly notes: NotesRepo,
    private readonly projects: ProjectsRepo,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Checks the file (type, size, bytes against name; SVG sanitised) and stores it; nothing is written when it is refused. */
  add(input: z.output<typeof AttachmentAddSchema>): Attachment {
    if (!this.projects.get(input.projectId)) throw notFound('Project', input.projectId);
    if (input.noteId !== null) {
      const note = this.notes.get(input.noteId);
      if (!note || note.projectId !== input.projectId) {
        throw new ServiceError('invalid_input', note ? 'That note belongs to another project' : `Note ${input.noteId} does not exist`, [
          { path: 'noteId', message: note ? 'The note is not in this project' : 'No such note' },
        ]);
      }
    }
    const file = checkAttachment(input.name, Buffer.from(input.data, 'base64'));
    const id = randomUUID();
    this.repo.add({ id, projectId: input.projectId, noteId: input.noteId, sha256: sha256OfBytes(file.bytes), name: input.name, mediaType: file.mediaType, data: file.bytes, now: this.clock() });
    this.events.emit({ type: 'notebook:changed', projectId: input.projectId, what: 'attachments' });
    return this.repo.get(id)!;
  }

  list(projectId: string): Attachment[] {
    if (!this.projects.get(projectId)) throw notFound('Project', projectId);
    return this.repo.list(projectId);
  }

  /** The bytes a note of this project refers to (never another project's). */
  get(projectId: string, sha256: string): AttachmentData {
    const a = this.repo.inProject(projectId, sha256);
    const data = a && this.repo.data(sha256);
    if (!a || !data) throw notFound('Attachment', sha256.slice(0, 12));
    return { ...a, data: data.toString('base64') };
  }
}
