import { useRef, useState } from 'preact/hooks';
import type { I18n } from '../i18n/i18n.js';
import { PauseIcon, PlayIcon } from './media-icons.js';
import { useMediaStyles } from './media-styles.js';

/** How far the arrow keys and Page Up/Down move in a clip, in milliseconds. */
const STEP = 1_000;
const PAGE = 10_000;

export interface VoicePlayerProps {
  /** Object URL of the clip (fetched with the visitor's token: never a token in a URL). */
  url: string;
  /** The duration the uploader measured, shown before the audio's metadata is read. */
  durationMs: number | undefined;
  i18n: I18n;
}

/**
 * A voice clip drawn inside its bubble: a play/pause button and a seek slider (a native range,
 * so it works with a keyboard, a screen reader and a finger), with elapsed and total time.
 * The audio element itself draws nothing.
 */
export function VoicePlayer({ url, durationMs, i18n }: VoicePlayerProps) {
  const audio = useRef<HTMLAudioElement>(null);
  useMediaStyles(audio);
  const [playing, setPlaying] = useState(false);
  const [failed, setFailed] = useState(false);
  const [at, setAt] = useState(0);
  const [known, setKnown] = useState<number | null>(null);
  // MediaRecorder's WebM carries no duration: Chromium reports Infinity until the clip has been
  // played through, so the uploader's figure stands in meanwhile.
  const length = known ?? durationMs ?? 0;

  const sync = () => {
    const a = audio.current!;
    setAt(a.currentTime * 1000);
    if (Number.isFinite(a.duration) && a.duration > 0) setKnown(a.duration * 1000);
  };
  const toggle = () => {
    const a = audio.current!;
    if (!a.paused) return a.pause();
    // A refused play (an unsupported format, a browser policy) leaves the button on Play and says so.
    a.play().then(
      () => setFailed(false),
      () => {
        setPlaying(false);
        setFailed(true);
      },
    );
  };
  const seek = (ms: number) => {
    const to = Math.max(0, Math.min(length, ms));
    audio.current!.currentTime = to / 1000;
    setAt(to);
  };
  const onKey = (e: KeyboardEvent) => {
    // The slider's own keys are handled here so that every browser moves by the same steps, and
    // Space or Enter on the slider plays and pauses, as in common media players.
    const moves: Record<string, number> = {
      ArrowRight: at + STEP,
      ArrowUp: at + STEP,
      ArrowLeft: at - STEP,
      ArrowDown: at - STEP,
      PageUp: at + PAGE,
      PageDown: at - PAGE,
      Home: 0,
      End: length,
    };
    if (e.key === ' ' || e.key === 'Enter') toggle();
    else if (e.key in moves) seek(moves[e.key]!);
    else return;
    e.preventDefault();
  };

  const elapsed = i18n.duration(Math.floor(at / 1000) * 1000);
  const total = i18n.duration(length);
  return (
    <div class="player" role="group" aria-label={i18n.t('voiceClip')}>
      <button type="button" class="play" aria-label={i18n.t(playing ? 'pause' : 'play')} onClick={toggle}>
        {playing ? <PauseIcon /> : <PlayIcon />}
      </button>
      <input
        type="range"
        min={0}
        max={Math.max(1, Math.round(length))}
        step={100}
        value={Math.round(at)}
        aria-label={i18n.t('seek')}
        aria-valuetext={i18n.t('elapsed', { elapsed, total })}
        onInput={(e) => seek(Number(e.currentTarget.value))}
        onKeyDown={onKey}
      />
      {failed ? (
        <span class="player-time" role="alert">
          {i18n.t('fileUnavailable')}
        </span>
      ) : (
        <span class="player-time" aria-hidden="true">
          {elapsed} / {total}
        </span>
      )}
      <audio
        ref={audio}
        preload="metadata"
        src={url}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={sync}
        onLoadedMetadata={sync}
        onDurationChange={sync}
      />
    </div>
  );
}
