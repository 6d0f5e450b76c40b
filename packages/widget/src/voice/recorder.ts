/** A voice clip being recorded. `stop` resolves with the clip; `cancel` throws it away. */
export interface Recording {
  stop(): Promise<{ blob: Blob; durationMs: number }>;
  cancel(): void;
}

/** Starts recording; rejects when there is no microphone or the visitor refuses it. */
export type RecorderFactory = () => Promise<Recording>;

// Chrome and Firefox record Opus in WebM/Ogg, Safari only AAC in MP4: take the first it supports.
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'];

export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

export const mediaRecorder: RecorderFactory = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const chunks: Blob[] = [];
  const started = performance.now();
  recorder.ondataavailable = (e) => {
    if (e.data.size) chunks.push(e.data);
  };
  // Releasing the tracks turns the browser's recording indicator off.
  const release = () => stream.getTracks().forEach((t) => t.stop());
  recorder.start();
  return {
    stop: () =>
      new Promise((resolve) => {
        recorder.onstop = () => {
          release();
          const type = (recorder.mimeType || mimeType || 'audio/webm').split(';')[0]!;
          resolve({ blob: new Blob(chunks, { type }), durationMs: Math.round(performance.now() - started) });
        };
        recorder.stop();
      }),
    cancel() {
      recorder.onstop = release;
      if (recorder.state !== 'inactive') recorder.stop();
      else release();
    },
  };
};
