/**
 * What `send` checks before a message is queued: a pure function of the input and the state. A
 * refused message is never queued; the caller reports the error.
 */
import { LIMITS } from '@threadline/protocol';
import type { State } from '../state/state.js';
import type { ClientError, OutgoingMessage } from '../types.js';

/** The message's text and files when it may be queued, else why not. */
export function checkOutgoing(
  message: OutgoingMessage,
  state: State,
  maxQueuedFileBytes: number,
): { text: string; files: Blob[] } | Pick<ClientError, 'code' | 'message'> {
  const text = typeof message?.text === 'string' ? message.text : '';
  const files = Array.from(message?.files ?? []);
  if (text.length > LIMITS.maxTextLength) return { code: 'invalid_input', message: `text is longer than ${LIMITS.maxTextLength} characters` };
  if (text.trim().length === 0 && files.length === 0) return { code: 'invalid_input', message: 'a message needs text or at least one file' };
  if (files.length > LIMITS.maxAttachments) return { code: 'invalid_input', message: `at most ${LIMITS.maxAttachments} files per message` };
  const cap = state.session?.maxUploadBytes ?? LIMITS.defaultMaxUploadBytes;
  const tooBig = files.find((f) => f.size > cap);
  if (tooBig) return { code: 'file_too_large', message: `${fileName(tooBig, 0)} is larger than ${cap} bytes` };
  // Files wait in storage until they upload: the page's share of the quota is bounded.
  const queued = Object.values(state.outbox).reduce((n, e) => n + e.files.reduce((m, f) => m + (f.attachment ? 0 : f.size), 0), 0);
  const adding = files.reduce((n, f) => n + f.size, 0);
  if (adding > 0 && queued + adding > maxQueuedFileBytes) {
    return { code: 'file_too_large', message: `files waiting to upload would exceed ${maxQueuedFileBytes} bytes` };
  }
  return { text, files };
}

/** A file's name, or `file-<n>` for a Blob without one. */
export function fileName(f: Blob, index: number): string {
  const name = (f as Partial<File>).name;
  return typeof name === 'string' && name ? name : `file-${index + 1}`;
}
