import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { I18n } from '../i18n/i18n.js';
import type { RecorderFactory, Recording } from '../voice/recorder.js';
import { AttachIcon, CameraIcon, CheckIcon, CloseIcon, MicIcon, SendIcon } from './icons.js';

/** Holding the microphone at least this long records until release. */
const HOLD_MS = 500;

/** A file chosen for the next message, before it is sent. */
export interface ComposerFile {
  file: File;
  /** For voice clips. */
  durationMs?: number | undefined;
  /** Object URL for an image preview (revoked by whoever made it). */
  previewUrl?: string | undefined;
}

export interface ComposerProps {
  i18n: I18n;
  text: string;
  files: readonly ComposerFile[];
  /** A problem with the chosen files ("too large"), shown above the field. */
  error: string | null;
  onText: (text: string) => void;
  onAddFiles: (files: File[]) => void;
  onRemoveFile: (index: number) => void;
  onVoice: (clip: { blob: Blob; durationMs: number }) => void;
  onSend: () => void;
  /** Omit to hide the microphone (no MediaRecorder). */
  recorder?: RecorderFactory | undefined;
  /** Show the camera button (phones). */
  camera?: boolean;
  textareaRef?: { current: HTMLTextAreaElement | null };
}

/**
 * The message field: Enter sends, Shift+Enter adds a line (not while an IME is composing, so
 * Chinese input works); attach, camera and voice; pasted files are attached.
 */
export function Composer(props: ComposerProps) {
  const { i18n, text, files, error } = props;
  const fileInput = useRef<HTMLInputElement>(null);
  const ownField = useRef<HTMLTextAreaElement | null>(null);
  const field = props.textareaRef ?? ownField;
  // After render, not on input: the field's width changes when the microphone button hides. An
  // empty field never sized is at its natural height already: no forced layout when the panel
  // first draws (it was most of that task on a phone).
  useLayoutEffect(() => {
    if (field.current && (text || field.current.style.height)) autosize(field.current);
  }, [text, files.length > 0]);
  const cameraInput = useRef<HTMLInputElement>(null);
  const canSend = text.trim().length > 0 || files.length > 0;
  const [recording, setRecording] = useState<{ rec: Recording; started: number } | null>(null);
  const [micError, setMicError] = useState(false);

  const pick = (input: HTMLInputElement) => {
    if (input.files?.length) props.onAddFiles([...input.files]);
    input.value = '';
  };

  const starting = useRef(false);
  const live = useRef<Recording | null>(null);
  const startRecording = async () => {
    if (!props.recorder || starting.current || live.current) return;
    starting.current = true;
    setMicError(false);
    try {
      const rec = await props.recorder();
      live.current = rec;
      setRecording({ rec, started: Date.now() });
    } catch {
      // Refused or no microphone: say so next to the button instead of failing silently.
      setMicError(true);
    } finally {
      starting.current = false;
    }
  };
  const stopRecording = async () => {
    const rec = live.current;
    if (!rec) return;
    live.current = null;
    const clip = await rec.stop();
    setRecording(null);
    props.onVoice(clip);
  };
  const cancelRecording = () => {
    live.current?.cancel();
    live.current = null;
    setRecording(null);
  };
  /**
   * Tap the microphone to record (then stop or cancel), or hold it: releasing after a hold stops
   * and attaches the clip. Keyboard users get the tap behaviour through click.
   */
  const pressMic = (e: PointerEvent) => {
    if (e.button) return; // secondary buttons; jsdom and old engines may leave it undefined
    const from = Date.now();
    const release = () => {
      document.removeEventListener('pointerup', release);
      document.removeEventListener('pointercancel', release);
      if (Date.now() - from >= HOLD_MS) void stopRecording();
    };
    document.addEventListener('pointerup', release);
    document.addEventListener('pointercancel', release);
    void startRecording();
  };

  return (
    <div class="composer">
      {(error || micError) && (
        <div class="alert" role="alert">
          {error ?? i18n.t('micUnavailable')}
        </div>
      )}
      {files.length > 0 && (
        <ul class="tray" aria-label={i18n.t('attachment')}>
          {files.map((f, i) => (
            <li key={i} class={f.previewUrl ? 'chip' : 'chip chip-text'}>
              {f.previewUrl ? (
                <img src={f.previewUrl} alt={f.file.name} />
              ) : f.durationMs !== undefined ? (
                <span class="chip-label">
                  {i18n.t('voiceClip')}
                  <br />
                  {i18n.duration(f.durationMs)}
                </span>
              ) : (
                <span class="chip-label" dir="auto">
                  {f.file.name}
                </span>
              )}
              <button type="button" class="icon-btn" aria-label={i18n.t('removeFile', { name: f.file.name })} onClick={() => props.onRemoveFile(i)}>
                <CloseIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        {recording ? (
          <Recorder
            i18n={i18n}
            started={recording.started}
            onCancel={cancelRecording}
            onStop={() => void stopRecording()}
          />
        ) : (
          <>
            <button type="button" class="icon-btn" aria-label={i18n.t('attach')} onClick={() => fileInput.current?.click()}>
              <AttachIcon />
            </button>
            <input ref={fileInput} type="file" multiple hidden tabIndex={-1} aria-hidden="true" onChange={(e) => pick(e.currentTarget)} />
            {props.camera && (
              <>
                <button type="button" class="icon-btn" aria-label={i18n.t('camera')} onClick={() => cameraInput.current?.click()}>
                  <CameraIcon />
                </button>
                <input
                  ref={cameraInput}
                  type="file"
                  accept="image/*"
                  capture="environment"
                  hidden
                  tabIndex={-1}
                  aria-hidden="true"
                  onChange={(e) => pick(e.currentTarget)}
                />
              </>
            )}
            <textarea
              dir="auto"
              aria-label={i18n.t('message')}
              ref={field}
              rows={1}
              placeholder={i18n.t('message')}
              value={text}
              onInput={(e) => props.onText(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
                  e.preventDefault();
                  if (canSend) props.onSend();
                }
              }}
              onPaste={(e) => {
                const pasted = e.clipboardData?.files;
                if (pasted?.length) {
                  e.preventDefault();
                  props.onAddFiles([...pasted]);
                }
              }}
            />
            {props.recorder && !text.trim() && (
              <button type="button" class="icon-btn" aria-label={i18n.t('record')} onPointerDown={pressMic} onClick={() => void startRecording()}>
                <MicIcon />
              </button>
            )}
            <button type="button" class="send" aria-label={i18n.t('send')} disabled={!canSend} onClick={props.onSend}>
              <SendIcon />
            </button>
          </>
        )}
      </div>
    </div>
  );
}

function Recorder({ i18n, started, onCancel, onStop }: { i18n: I18n; started: number; onCancel: () => void; onStop: () => void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    // Ticks only while recording, to show the duration.
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, []);
  return (
    <>
      <button type="button" class="icon-btn" aria-label={i18n.t('cancelRecording')} onClick={onCancel}>
        <CloseIcon />
      </button>
      <div class="recording" role="status">
        <span class="rec-dot" aria-hidden="true" />
        {i18n.t('recording', { duration: i18n.duration(now - started) })}
      </div>
      <button type="button" class="send" aria-label={i18n.t('stopRecording')} onClick={onStop}>
        <CheckIcon />
      </button>
    </>
  );
}

/** Grows the field with its content up to the CSS max-height (CSSOM writes are allowed by a strict CSP). */
function autosize(el: HTMLTextAreaElement) {
  el.style.height = 'auto';
  el.style.height = `${el.scrollHeight}px`;
}
