/**
 * Uploading one file of an outgoing message to `POST /v1/uploads`, with progress in the
 * snapshot. The outcome says whether a failure is worth retrying (the sender backs off) or final.
 */
import type { Attachment } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { OutboxEntry, OutboxFile } from '../state/state.js';
import type { ClientError } from '../types.js';

export type UploadOutcome =
  | { ok: true; attachment: Attachment }
  | { ok: false; error: ClientError; transient: boolean };

export async function upload(host: Host, entry: OutboxEntry, file: OutboxFile, blob: Blob, signal: AbortSignal): Promise<UploadOutcome> {
  const token = await host.token();
  const where = { clientId: entry.clientId, threadId: entry.threadId };
  if (!token) return { ok: false, transient: true, error: { code: 'unauthorized', message: 'no session yet', ...where } };
  const progress = (loaded: number, total: number) => host.store.dispatch({ type: 'upload', progress: { ...where, index: file.index, loaded, total } });
  progress(0, file.size);
  try {
    const res = await host.env.http.upload({
      url: `${host.options.serverUrl}/v1/uploads`,
      token,
      file: blob,
      fileName: file.name,
      fields: file.durationMs !== undefined ? { durationMs: String(Math.round(file.durationMs)) } : {},
      onProgress: progress,
      signal,
    });
    const body = res.body as { attachment?: Attachment; error?: { code?: string; message?: string; retryAfterMs?: number } } | null;
    if (res.status >= 200 && res.status < 300 && body?.attachment) return { ok: true, attachment: body.attachment };
    const code = (body?.error?.code ?? (res.status === 413 ? 'payload_too_large' : res.status === 415 ? 'unsupported_media_type' : 'upload_failed')) as ClientError['code'];
    const retryAfterMs = body?.error?.retryAfterMs ?? res.retryAfterMs;
    const error: ClientError = { code, message: body?.error?.message ?? `upload failed (${res.status})`, ...where, ...(retryAfterMs ? { retryAfterMs } : {}) };
    // 401: the token may be from before a restart or rotation — retry after the next session.
    const transient = res.status === 429 || res.status >= 500 || res.status === 401;
    return { ok: false, transient, error };
  } catch (err) {
    if ((err as { name?: string })?.name === 'AbortError') return { ok: false, transient: false, error: { code: 'upload_failed', message: 'aborted', ...where } };
    // Includes a failed load of the HTTP code (`http.ts` is a chunk of its own): tried again with backoff.
    return { ok: false, transient: true, error: { code: 'network', message: `upload failed: ${String(err)}`, ...where } };
  }
}
