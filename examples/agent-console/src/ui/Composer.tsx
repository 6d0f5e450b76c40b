import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '@threadline/protocol';
import type { Upload } from '../api/api-client.js';
import { describeError } from '../api/api-error.js';
import { formatBytes } from '../text/format.js';
import { useServices } from './context.js';

/** Mirrors the protocol's LIMITS (imported for types only, so the numbers are repeated here). */
const MAX_TEXT = 5000;
const MAX_ATTACHMENTS = 10;
const ACCEPT = 'image/jpeg,image/png,image/gif,image/webp,audio/*,application/pdf,text/plain';

interface Draft {
  key: number;
  file: File;
  progress: number;
  attachment?: Attachment;
  error?: string;
  upload?: Upload;
}

export interface ComposerProps {
  threadId: string;
  disabledReason?: string;
  onSend(text: string, attachments: Attachment[]): void;
  onTyping(): void;
}

let nextKey = 1;

export function Composer({ threadId, disabledReason, onSend, onTyping }: ComposerProps) {
  const { api } = useServices();
  const [text, setText] = useState('');
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  // A draft belongs to its thread: switching threads starts a clean box and cancels uploads.
  useEffect(() => {
    setText('');
    setDrafts([]);
    textarea.current?.focus();
  }, [threadId]);
  const current = useRef(drafts);
  current.current = drafts;
  useEffect(() => () => current.current.forEach((d) => !d.attachment && d.upload?.abort()), [threadId]);

  const update = (key: number, patch: Partial<Draft>) => setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...patch } : d)));

  const startUpload = (draft: Draft) => {
    const upload = api.upload(draft.file, (progress) => update(draft.key, { progress }));
    update(draft.key, { upload, error: undefined, progress: 0 });
    upload.promise.then(
      (attachment) => update(draft.key, { attachment, progress: 1 }),
      (err: unknown) => update(draft.key, { error: describeError(err) }),
    );
  };

  const addFiles = (files: FileList | null) => {
    if (!files) return;
    const room = MAX_ATTACHMENTS - drafts.length;
    const added = [...files].slice(0, Math.max(0, room)).map((file) => ({ key: nextKey++, file, progress: 0 }));
    setDrafts((ds) => [...ds, ...added]);
    added.forEach(startUpload);
    if (fileInput.current) fileInput.current.value = '';
  };

  const remove = (d: Draft) => {
    if (!d.attachment) d.upload?.abort();
    setDrafts((ds) => ds.filter((x) => x.key !== d.key));
  };

  const uploading = drafts.some((d) => !d.attachment && !d.error);
  const failed = drafts.some((d) => d.error);
  const ready = drafts.filter((d) => d.attachment).map((d) => d.attachment!);
  const canSend = !disabledReason && !uploading && !failed && (text.trim().length > 0 || ready.length > 0) && text.length <= MAX_TEXT;

  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!canSend) return;
    onSend(text, ready);
    setText('');
    setDrafts([]);
    textarea.current?.focus();
  };

  return (
    <form class="composer" onSubmit={submit} aria-label="Reply composer">
      {drafts.length > 0 && (
        <ul class="drafts" aria-label="Attachments to send">
          {drafts.map((d) => (
            <li key={d.key} class={`draft${d.error ? ' draft-error' : ''}`}>
              <span class="draft-name">{d.file.name}</span>
              <small>
                {d.error
                  ? d.error
                  : d.attachment
                    ? formatBytes(d.file.size)
                    : `Uploading ${Math.round(d.progress * 100)} %`}
              </small>
              {!d.attachment && !d.error && <progress max={1} value={d.progress} aria-label={`Upload of ${d.file.name}`} />}
              {d.error && (
                <button type="button" class="btn btn-small" onClick={() => startUpload(d)}>
                  Retry
                </button>
              )}
              <button type="button" class="btn btn-small btn-ghost" onClick={() => remove(d)} aria-label={`Remove ${d.file.name}`}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <label class="btn btn-icon" title="Attach files">
          <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
          </svg>
          <span class="visually-hidden">Attach files</span>
          <input ref={fileInput} type="file" multiple accept={ACCEPT} class="visually-hidden" onChange={(e) => addFiles((e.target as HTMLInputElement).files)} disabled={!!disabledReason} />
        </label>
        <label class="visually-hidden" for={`reply-${threadId}`}>
          Reply
        </label>
        <textarea
          id={`reply-${threadId}`}
          ref={textarea}
          rows={2}
          value={text}
          maxLength={MAX_TEXT}
          placeholder={disabledReason ?? 'Write a reply… (Enter to send, Shift+Enter for a new line)'}
          disabled={!!disabledReason}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            onTyping();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
          }}
          onPaste={(e) => {
            if (e.clipboardData?.files.length) {
              e.preventDefault();
              addFiles(e.clipboardData.files);
            }
          }}
        />
        <button type="submit" class="btn btn-primary" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
