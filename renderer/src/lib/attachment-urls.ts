import type { Api } from '../../../contract/api';

/** An attachment's bytes as the renderer gets them, or why it could not. */
export type AttachmentFile = { name: string; mediaType: string; bytes: Uint8Array<ArrayBuffer> } | { error: string };
export type AttachmentLoader = (sha256: string) => Promise<AttachmentFile>;

/** Base64 to bytes without fetch (the CSP allows no data: connections). */
export function fromBase64(data: string): Uint8Array<ArrayBuffer> {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Reads a file as base64 for the contract (which carries JSON). */
export function toBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** Attachments of one project, fetched through the contract. */
export function projectAttachments(api: Api, projectId: string): AttachmentLoader {
  return async (sha256) => {
    const r = await api.attachments.get({ projectId, sha256 });
    return r.ok ? { name: r.value.name, mediaType: r.value.mediaType, bytes: fromBase64(r.value.data) } : { error: r.error.message };
  };
}

/**
 * Object URLs for the attachments one rendered note shows. In browser mode an <img src> request
 * cannot carry the per-launch token, so the bytes come through the contract and are shown from
 * blob: URLs (an SVG only ever through <img>, where its scripts cannot run). close() revokes them.
 */
export class AttachmentUrls {
  private readonly files = new Map<string, Promise<{ url: string; name: string } | { error: string }>>();
  private readonly urls: string[] = [];
  private closed = false;

  constructor(private readonly load: AttachmentLoader) {}

  private url(sha256: string) {
    let entry = this.files.get(sha256);
    if (!entry) {
      entry = this.load(sha256)
        .then((f) => {
          if ('error' in f) return f;
          if (this.closed) return { error: 'closed' };
          const url = URL.createObjectURL(new Blob([f.bytes], { type: f.mediaType }));
          this.urls.push(url);
          return { url, name: f.name };
        })
        .catch((err: unknown) => ({ error: String(err) }));
      this.files.set(sha256, entry);
    }
    return entry;
  }

  /** Points every `[data-attachment]` image and link under root at its bytes. */
  fill(root: HTMLElement): void {
    for (const el of root.querySelectorAll<HTMLElement>('[data-attachment]')) {
      const sha = el.dataset.attachment ?? '';
      if (!/^[0-9a-f]{64}$/.test(sha)) continue;
      void this.url(sha).then((r) => {
        if (this.closed || !el.isConnected) return;
        if ('error' in r) {
          el.classList.add('attachment-missing');
          el.title = `Attachment not available: ${r.error}`;
        } else if (el instanceof HTMLImageElement) el.src = r.url;
        else if (el instanceof HTMLAnchorElement) {
          el.href = r.url;
          el.download = r.name;
          el.title = `Download ${r.name}`;
        }
      });
    }
  }

  close(): void {
    this.closed = true;
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
  }
}
