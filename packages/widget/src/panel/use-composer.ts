import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '@threadline/protocol';
import type { OutgoingMessage } from '@threadline/core';
import type { ComposerFile } from '../components/Composer.js';
import type { Drafts } from '../drafts.js';
import type { I18n } from '../i18n/i18n.js';

/** The next message being written: text (kept as a draft), chosen files and their problems. */
export function useComposer(drafts: Drafts, key: string, i18n: I18n, maxBytes: number, prefill: string | null) {
  const [text, setText] = useState(() => prefill ?? drafts.get(key));
  const [files, setFiles] = useState<ComposerFile[]>([]);
  const [error, setError] = useState<string | null>(null);
  const filesRef = useRef(files);
  filesRef.current = files;
  useEffect(() => {
    if (prefill !== null) drafts.set(key, prefill);
  }, []);
  // Previews are object URLs: release them when the composer goes away.
  useEffect(() => () => filesRef.current.forEach((f) => f.previewUrl && URL.revokeObjectURL(f.previewUrl)), []);

  const add = (incoming: ComposerFile[]) => {
    const ok: ComposerFile[] = [];
    let problem: string | null = null;
    for (const f of incoming) {
      if (f.file.size > maxBytes) problem = i18n.t('fileTooLarge', { name: f.file.name, max: i18n.bytes(maxBytes) });
      else if (files.length + ok.length >= LIMITS.maxAttachments) problem = i18n.t('tooManyFiles', { max: LIMITS.maxAttachments });
      else ok.push(f);
    }
    setError(problem);
    if (ok.length) setFiles([...files, ...ok]);
  };

  return {
    text,
    files,
    error,
    setText(next: string) {
      setText(next);
      drafts.set(key, next);
    },
    addFiles(list: File[]) {
      add(list.map((file) => ({ file, previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined })));
    },
    addVoice(clip: { blob: Blob; durationMs: number }) {
      const ext = clip.blob.type.includes('mp4') ? 'm4a' : clip.blob.type.includes('ogg') ? 'ogg' : 'webm';
      const file = new File([clip.blob], `voice-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`, { type: clip.blob.type });
      add([{ file, durationMs: clip.durationMs }]);
    },
    removeFile(index: number) {
      const f = files[index];
      if (f?.previewUrl) URL.revokeObjectURL(f.previewUrl);
      setFiles(files.filter((_, i) => i !== index));
      setError(null);
    },
    /** The message to hand to the core, or null when there is nothing to send. */
    take(): OutgoingMessage | null {
      const trimmed = text.trim();
      if (!trimmed && !files.length) return null;
      const durations: Record<number, number> = {};
      files.forEach((f, i) => {
        if (f.durationMs !== undefined) durations[i] = f.durationMs;
      });
      const message: OutgoingMessage = { text: trimmed, files: files.map((f) => f.file), durations };
      files.forEach((f) => f.previewUrl && URL.revokeObjectURL(f.previewUrl));
      setText('');
      setFiles([]);
      setError(null);
      drafts.set(key, '');
      return message;
    },
  };
}
