import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment, PendingFile, UploadProgress } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { FileIcon } from './icons.js';
import { saveFile } from './save-file.js';
import { lazyChunk } from './lazy-chunk.js';

/**
 * The player and the lightbox (their own chunk), once loaded. Without it the thumbnail, the
 * duration and "Loading…" stay; the next thread drawn tries again.
 */
const useMedia = lazyChunk(() => import('./media.js'));

/** Fetches an attachment with the visitor's token (core) and yields an object URL. */
export type ResolveUrl = (attachment: Attachment) => Promise<string | null>;

/**
 * The object URL `load` yields (nothing without `load`), revoked when `key` changes or the
 * component goes away. `false` once `load` gave up (the core already tried again meanwhile);
 * `again` loads once more.
 */
function useLoadedUrl(load: (() => Promise<string | null>) | undefined, key: string): [string | null | false, () => void] {
  const [url, setUrl] = useState<string | null | false>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!load) return;
    let alive = true;
    let made: string | null = null;
    setUrl(null);
    void load().then((u) => {
      made = u;
      if (alive) setUrl(u ?? false);
      else if (u) URL.revokeObjectURL(u);
    });
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [key, attempt]);
  return [url, () => setAttempt((n) => n + 1)];
}

/** Fetches an attachment with the visitor's token (core) and yields an object URL. */
const useObjectUrl = (attachment: Attachment, resolve: ResolveUrl) => useLoadedUrl(() => resolve(attachment), attachment.id);

/** What shows while a file loads, or after it could not be loaded (with a way to try again). */
function Unavailable({ failed, label, i18n, again }: { failed: boolean; label: string; i18n: I18n; again: () => void }) {
  if (!failed) return <span>{i18n.t('loadingFile')}</span>;
  return (
    <span class="unavailable">
      <span>{i18n.t('fileUnavailable')}</span>
      <button type="button" class="link-btn" aria-label={`${i18n.t('retry')}: ${label}`} onClick={again}>
        {i18n.t('retry')}
      </button>
    </span>
  );
}

export function ImageAttachment({ attachment, resolve, i18n }: { attachment: Attachment; resolve: ResolveUrl; i18n: I18n }) {
  const [url, again] = useObjectUrl(attachment, resolve);
  const m = useMedia();
  const [open, setOpen] = useState(false);
  const thumb = useRef<HTMLButtonElement>(null);
  const shown = useRef(false);
  useEffect(() => {
    // Focus goes back to the thumbnail once the lightbox is gone (not while it is still modal).
    if (!open && shown.current) thumb.current?.focus();
    shown.current = open;
  }, [open]);
  const alt = i18n.t('image', { name: attachment.name });
  if (!url) {
    return (
      <div class="image-placeholder" role={url === false ? 'group' : 'img'} aria-label={alt}>
        <Unavailable failed={url === false} label={alt} i18n={i18n} again={again} />
      </div>
    );
  }
  return (
    <>
      <button ref={thumb} type="button" class="image-btn" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <img class="image" src={url} alt={alt} width={attachment.width} height={attachment.height} />
      </button>
      {open && m && <m.Lightbox url={url} name={attachment.name} i18n={i18n} onClose={() => setOpen(false)} />}
    </>
  );
}

export function VoiceAttachment({ attachment, resolve, i18n }: { attachment: Attachment; resolve: ResolveUrl; i18n: I18n }) {
  const [url, again] = useObjectUrl(attachment, resolve);
  const m = useMedia();
  return (
    <div class="voice">
      {url && m ? (
        <m.VoicePlayer url={url} durationMs={attachment.durationMs} i18n={i18n} />
      ) : (
        <>
          <Unavailable failed={url === false} label={i18n.t('voiceClip')} i18n={i18n} again={again} />
          {attachment.durationMs !== undefined && <span class="player-time">{i18n.duration(attachment.durationMs)}</span>}
        </>
      )}
    </div>
  );
}

export function FileAttachment({ attachment, resolve, i18n }: { attachment: Attachment; resolve: ResolveUrl; i18n: I18n }) {
  const download = async () => {
    const url = await resolve(attachment);
    if (url) saveFile(url, attachment.name, true);
  };
  return (
    <button type="button" class="file" aria-label={i18n.t('download', { name: attachment.name })} onClick={download}>
      <FileIcon />
      <span class="file-name">
        <bdi>{attachment.name}</bdi>
      </span>
      <span class="file-size">{i18n.bytes(attachment.size)}</span>
    </button>
  );
}

export function AttachmentView(props: { attachment: Attachment; resolve: ResolveUrl; i18n: I18n }) {
  const { mime } = props.attachment;
  if (mime.startsWith('image/')) return <ImageAttachment {...props} />;
  if (mime.startsWith('audio/')) return <VoiceAttachment {...props} />;
  return <FileAttachment {...props} />;
}

export interface PendingFileProps {
  file: PendingFile;
  /** Local picture of the photo being uploaded (queued in this page). */
  previewUrl?: string | undefined;
  /** Reads the queued photo back from the core when this page did not queue it (after a reload). */
  loadPreview?: (() => Promise<string | null>) | undefined;
  progress: UploadProgress | undefined;
  failed: boolean;
  i18n: I18n;
  onCancel: () => void;
}

/** A file of an outgoing message that is not uploaded yet: progress, and cancel while it lasts. */
export function PendingFileView({ file, previewUrl, loadPreview, progress, failed, i18n, onCancel }: PendingFileProps) {
  const wanted = file.mime.startsWith('image/') && !previewUrl && !!loadPreview;
  const [stored] = useLoadedUrl(wanted ? loadPreview : undefined, wanted ? 'stored' : '');
  previewUrl ??= stored || undefined;
  const ratio = progress && progress.total ? Math.min(1, progress.loaded / progress.total) : 0;
  const percent = Math.round(ratio * 100);
  return (
    <div class="file pending">
      {previewUrl && <img class="image" src={previewUrl} alt={i18n.t('image', { name: file.name })} />}
      <div class="pending-row">
        <FileIcon />
        <span class="file-name">
          <bdi>{file.name}</bdi>
        </span>
        <span class="file-size">{i18n.bytes(file.size)}</span>
      </div>
      {!failed && (
        <>
          <span
            class="progress"
            role="progressbar"
            aria-label={file.name}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <span class={`bar-${Math.round(ratio * 20) * 5}`} />
          </span>
          <div class="pending-row">
            <span class="file-size">{progress ? i18n.t('uploading', { percent }) : i18n.t('waitingUpload')}</span>
            <button type="button" class="link-btn" onClick={onCancel}>
              {i18n.t('cancelUpload')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
