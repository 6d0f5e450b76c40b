/**
 * MPEG audio (MP3, MP2, MP1) recognised by walking its frames. A frame sync is only 11 set bits,
 * so a 4-byte header in front of a ZIP, or a UTF-16 LE byte order mark (FF FE) in front of HTML,
 * "is" MPEG audio to a signature check. Here every header must be valid (no reserved version,
 * layer, bitrate, sample rate or emphasis) and each next one must sit exactly where the previous
 * frame's computed length ends. Tables: ISO/IEC 11172-3 and 13818-3.
 */

/** kbit/s by bitrate index (1–14), for MPEG-1 and for MPEG-2/2.5, per layer. */
const BITRATES: Record<'v1' | 'v2', Record<1 | 2 | 3, readonly number[]>> = {
  v1: {
    1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  },
  v2: {
    1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    3: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  },
};

/** Hz by sample-rate index (0–2), keyed by the header's version bits (0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1). */
const SAMPLE_RATES: Record<number, readonly number[]> = {
  0: [11025, 12000, 8000],
  2: [22050, 24000, 16000],
  3: [44100, 48000, 32000],
};

/** How many consecutive frames make a file MPEG audio (a real file has thousands; 3 is about 80 ms). */
export const MPEG_FRAMES_REQUIRED = 3;

/** The length in bytes of the frame whose header starts at `at`, or 0 when there is no valid header there. */
export function mpegFrameLength(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) return 0;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const b3 = bytes[at + 3]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0;
  const version = (b1 >> 3) & 0b11; // 1 is reserved
  const layerBits = (b1 >> 1) & 0b11; // 0 is reserved (and ADTS AAC)
  const bitrateIndex = b2 >> 4; // 0 is "free format", 15 is forbidden
  const rateIndex = (b2 >> 2) & 0b11; // 3 is reserved
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  if ((b3 & 0b11) === 2) return 0; // reserved emphasis
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrate = BITRATES[version === 3 ? 'v1' : 'v2'][layer][bitrateIndex]! * 1000;
  const sampleRate = SAMPLE_RATES[version]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  if (layer === 1) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  // MPEG-2/2.5 Layer III frames hold 576 samples, not 1152.
  const coefficient = layer === 3 && version !== 3 ? 72 : 144;
  return Math.floor((coefficient * bitrate) / sampleRate) + padding;
}

/**
 * Where an ID3v2 tag at the start of `bytes` ends (with its footer), 0 without one, or -1 for a
 * broken tag. Needs the first 10 bytes only: an upload's head is grown to hold the whole tag.
 */
export function id3v2End(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0; // "ID3"
  const major = bytes[3]!;
  const flags = bytes[5]!;
  if (major < 2 || major > 4 || bytes[4] === 0xff) return -1;
  let size = 0;
  for (let i = 6; i < 10; i++) {
    if (bytes[i]! & 0x80) return -1; // sizes are syncsafe: 7 bits a byte
    size = size * 128 + bytes[i]!;
  }
  return 10 + size + (flags & 0x10 ? 10 : 0); // footer
}

/** Where the audio starts after an ID3v2 tag at the start, 0 without one, or -1 for a broken tag. */
function afterId3v2(bytes: Uint8Array): number {
  let at = id3v2End(bytes);
  if (at <= 0) return at;
  // Some taggers pad beyond the declared size with zeros.
  while (at < bytes.length && bytes[at] === 0) at++;
  return at < bytes.length ? at : -1;
}

/**
 * True for an optional ID3v2 tag followed by `MPEG_FRAMES_REQUIRED` frames back to back, or by
 * fewer frames that end exactly at the end of the file (a clip shorter than that). `bytes` may be
 * the file's head (`size` its whole length) if it holds the tag and those frames.
 */
export function isMpegAudio(bytes: Uint8Array, size: number = bytes.length): boolean {
  let at = afterId3v2(bytes);
  if (at < 0) return false;
  for (let frames = 0; frames < MPEG_FRAMES_REQUIRED; frames++) {
    if (frames > 0 && at === size) return true;
    const length = mpegFrameLength(bytes, at);
    if (!length || at + length > bytes.length) return false;
    at += length;
  }
  return true;
}
