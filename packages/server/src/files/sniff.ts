import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { ServerError } from '../errors.js';
import { isMp4, isOgg, isWebm } from './containers.js';
import { isMpegAudio } from './mpeg-audio.js';

export type FileCategory = 'image' | 'audio' | 'pdf' | 'text';

export interface SniffedFile {
  mime: string;
  category: FileCategory;
  width?: number;
  height?: number;
}

/** What we accept, keyed by the type file-type reports for the bytes; value is what we store. */
const ALLOWED: Record<string, { mime: string; category: FileCategory }> = {
  'image/jpeg': { mime: 'image/jpeg', category: 'image' },
  'image/png': { mime: 'image/png', category: 'image' },
  'image/gif': { mime: 'image/gif', category: 'image' },
  'image/webp': { mime: 'image/webp', category: 'image' },
  'audio/webm': { mime: 'audio/webm', category: 'audio' },
  // MediaRecorder's audio-only WebM is a Matroska container: the bytes say video/webm.
  'video/webm': { mime: 'audio/webm', category: 'audio' },
  'audio/ogg': { mime: 'audio/ogg', category: 'audio' },
  'audio/opus': { mime: 'audio/ogg', category: 'audio' },
  'audio/mp4': { mime: 'audio/mp4', category: 'audio' },
  'audio/x-m4a': { mime: 'audio/mp4', category: 'audio' },
  'video/mp4': { mime: 'audio/mp4', category: 'audio' },
  'audio/mpeg': { mime: 'audio/mpeg', category: 'audio' },
  'application/pdf': { mime: 'application/pdf', category: 'pdf' },
};

/**
 * Container checks for the stored audio types: the sniffer recognises them by a few bytes, so a
 * header glued in front of HTML or an archive would pass on its signature alone.
 */
const STRUCTURE: Record<string, (head: Uint8Array, size: number) => boolean> = {
  'audio/mpeg': isMpegAudio,
  'audio/webm': isWebm,
  'audio/ogg': isOgg,
  'audio/mp4': isMp4,
};

function categoryOfClaim(claimed: string): FileCategory | 'other' | null {
  const c = claimed.toLowerCase().split(';')[0]!.trim();
  if (!c || c === 'application/octet-stream') return null; // no claim
  if (c.startsWith('image/')) return 'image';
  if (c.startsWith('audio/') || c === 'video/webm' || c === 'video/mp4') return 'audio';
  if (c === 'application/pdf') return 'pdf';
  if (c === 'text/plain') return 'text';
  return 'other';
}

/**
 * Whether bytes fed in order are plain text: UTF-8 without NUL or other C0 controls besides
 * tab/newline/CR/form feed, and not empty. Fed chunk by chunk, so an upload is checked throughout
 * as it streams past, without being held; gives up at the first byte that fails.
 */
export class PlainTextCheck {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #ok = true;
  #empty = true;

  update(bytes: Uint8Array): void {
    if (!this.#ok || bytes.length === 0) return;
    this.#empty = false;
    for (const b of bytes) {
      if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) {
        this.#ok = false;
        return;
      }
    }
    try {
      this.#decoder.decode(bytes, { stream: true });
    } catch {
      this.#ok = false;
    }
  }

  /** The verdict once every byte was fed (a sequence cut off at the end is not UTF-8). */
  result(): boolean {
    if (!this.#ok || this.#empty) return false;
    try {
      this.#decoder.decode();
    } catch {
      this.#ok = false;
    }
    return this.#ok;
  }
}

function isPlainText(bytes: Uint8Array): boolean {
  const check = new PlainTextCheck();
  check.update(bytes);
  return check.result();
}

/** What `sniffHead` decides from: a file seen once as it streamed past (see `inspectUpload`). */
export interface FileFacts {
  /** The first bytes of the file: all of it, or at least `HEAD_BYTES` (upload-inspector.ts). */
  head: Buffer;
  /** The file's length in bytes. */
  size: number;
  /** Whether the whole file is plain text (`PlainTextCheck`). */
  text: boolean;
}

/**
 * Decides a file's type from its bytes, never from the uploader's claim, and refuses anything off
 * the allow-list (images, audio, PDF, plain text) or whose bytes contradict the claimed type —
 * e.g. HTML or SVG sent as `image/png`.
 */
export async function sniff(bytes: Buffer, claimed: string): Promise<SniffedFile> {
  return sniffHead({ head: bytes, size: bytes.length, text: isPlainText(bytes) }, claimed);
}

/**
 * `sniff` for a file known by its head, length and text check: the signature, the container
 * structure and the image dimensions are read from the head; only the text check needs every byte.
 */
export async function sniffHead({ head: bytes, size, text }: FileFacts, claimed: string): Promise<SniffedFile> {
  const claim = categoryOfClaim(claimed);
  const detected = await fileTypeFromBuffer(bytes);
  let result: SniffedFile;
  if (detected) {
    // Parameters off: file-type says `audio/ogg; codecs=opus` for Ogg Opus.
    const type = detected.mime.split(';')[0]!.trim();
    const allowed = ALLOWED[type];
    if (!allowed) throw new ServerError('unsupported_media_type', `files of type ${type} are not accepted`);
    if (STRUCTURE[allowed.mime] && !STRUCTURE[allowed.mime]!(bytes, size)) {
      throw new ServerError('unsupported_media_type', `the file starts like ${allowed.mime} but is not a valid ${allowed.mime} file`);
    }
    result = { mime: allowed.mime, category: allowed.category };
  } else if (text) {
    result = { mime: 'text/plain', category: 'text' };
  } else {
    throw new ServerError('unsupported_media_type', 'the file type is not accepted (images, audio, PDF and plain text are)');
  }
  if (claim !== null && claim !== result.category) {
    throw new ServerError(
      'unsupported_media_type',
      `the file's content (${result.mime}) does not match its declared type (${claimed})`,
    );
  }
  if (result.category === 'image') {
    try {
      const { width, height } = imageSize(bytes);
      if (width && height) Object.assign(result, { width, height });
    } catch {
      // Dimensions are a nicety for layout; a truncated header just leaves them out.
    }
  }
  return result;
}
