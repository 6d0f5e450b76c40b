import { useEffect, useState } from 'preact/hooks';
import type { Attachment } from '@threadline/protocol';
import { describeError } from '../api/api-error.js';
import { formatBytes, formatDuration } from '../text/format.js';
import { useServices } from './context.js';

function useFileUrl(url: string, enabled: boolean): { src: string | null; error: string | null } {
  const { files } = useServices();
  const [state, setState] = useState<{ src: string | null; error: string | null }>({ src: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    files.get(url).then(
      (src) => live && setState({ src, error: null }),
      (err: unknown) => live && setState({ src: null, error: describeError(err) }),
    );
    return () => {
      live = false;
    };
  }, [url, enabled, files]);
  return state;
}

const kindOf = (mime: string) => (mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : 'file');

/** Images inline, audio playable, anything else downloadable — all fetched with the key in a header. */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const kind = kindOf(attachment.mime);
  if (kind === 'image') return <ImageAttachment attachment={attachment} />;
  if (kind === 'audio') return <AudioAttachment attachment={attachment} />;
  return <FileAttachment attachment={attachment} />;
}

function ImageAttachment({ attachment: a }: { attachment: Attachment }) {
  const { src, error } = useFileUrl(a.url, true);
  const ratio = a.width && a.height ? `${a.width} / ${a.height}` : '4 / 3';
  if (error) return <p class="att-error" role="status">Image “{a.name}” could not load: {error}</p>;
  return (
    <a class="att-image" href={src ?? undefined} target="_blank" rel="noopener" aria-label={`Open image ${a.name}`} style={{ aspectRatio: ratio }}>
      {src ? <img src={src} alt={a.name} width={a.width} height={a.height} /> : <span class="att-placeholder">Loading image…</span>}
    </a>
  );
}

function AudioAttachment({ attachment: a }: { attachment: Attachment }) {
  const { src, error } = useFileUrl(a.url, true);
  return (
    <figure class="att-audio">
      {src ? <audio controls preload="metadata" src={src} aria-label={`Voice clip ${a.name}`} /> : <span class="att-placeholder">{error ?? 'Loading audio…'}</span>}
      <figcaption>
        {a.name}
        {a.durationMs ? ` · ${formatDuration(a.durationMs)}` : ''} · {formatBytes(a.size)}
      </figcaption>
    </figure>
  );
}

function FileAttachment({ attachment: a }: { attachment: Attachment }) {
  const { files } = useServices();
  const [state, setState] = useState<'idle' | 'loading' | string>('idle');
  // Downloaded on demand: a PDF nobody opens is not fetched.
  const download = async () => {
    setState('loading');
    try {
      const href = await files.get(a.url);
      const link = document.createElement('a');
      link.href = href;
      link.download = a.name;
      link.click();
      setState('idle');
    } catch (err) {
      setState(describeError(err));
    }
  };
  return (
    <div class="att-file">
      <span class="att-file-icon" aria-hidden="true">
        {a.mime === 'application/pdf' ? 'PDF' : 'TXT'}
      </span>
      <span class="att-file-name">
        {a.name}
        <small>{formatBytes(a.size)}</small>
      </span>
      <button type="button" class="btn btn-small" onClick={download} disabled={state === 'loading'} aria-label={`Download ${a.name}`}>
        {state === 'loading' ? 'Downloading…' : 'Download'}
      </button>
      {state !== 'idle' && state !== 'loading' && <span class="att-error" role="status">{state}</span>}
    </div>
  );
}
