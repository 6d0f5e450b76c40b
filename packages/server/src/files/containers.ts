/**
 * Structure checks for the audio containers the server accepts. A signature sniffer trusts a few
 * bytes (`OggS`, the EBML magic, `ftyp` at offset 4) and then anything may follow; these read
 * the first structure of each container far enough that a header glued in front of HTML or an
 * archive no longer passes. Cheap: a few dozen bytes each, no decoding.
 */

/** An EBML variable-size integer at `at`: its value (the marker bit kept for ids), length, and whether all value bits are set. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; allOnes: boolean } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23; // 1 for 1xxxxxxx … 8 for 00000001
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, allOnes };
}

/** Level-1 elements that may open a WebM Segment: SeekHead, Info, Tracks, Cluster, Cues, Tags, Chapters, Attachments, Void, CRC-32. */
const SEGMENT_CHILDREN = new Set([0x114d9b74, 0x1549a966, 0x1654ae6b, 0x1f43b675, 0x1c53bb6b, 0x1254c367, 0x1043a770, 0x1941a469, 0xec, 0xbf]);

/**
 * A WebM file: an EBML header that fits in the file and says DocType "webm", directly followed
 * by a Segment (known or unknown size, as MediaRecorder writes it while recording) whose first
 * child is a level-1 element.
 */
export function isWebm(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x1a || bytes[1] !== 0x45 || bytes[2] !== 0xdf || bytes[3] !== 0xa3) return false;
  const headerSize = vint(bytes, 4, false);
  if (!headerSize || headerSize.allOnes) return false;
  const headerEnd = 4 + headerSize.length + headerSize.value;
  if (headerEnd > bytes.length) return false;
  let docType = '';
  for (let at = 4 + headerSize.length; at < headerEnd; ) {
    const id = vint(bytes, at, true);
    const size = id && vint(bytes, at + id.length, false);
    if (!id || !size || size.allOnes) return false;
    const start = at + id.length + size.length;
    const end = start + size.value;
    if (end > headerEnd) return false;
    if (id.value === 0x4282) docType = Buffer.from(bytes.subarray(start, end)).toString('latin1').replace(/\0+$/, '');
    at = end;
  }
  if (docType !== 'webm') return false;
  const segment = vint(bytes, headerEnd, true);
  const segmentSize = segment && segment.value === 0x18538067 && vint(bytes, headerEnd + segment.length, false);
  if (!segment || !segmentSize) return false;
  const child = vint(bytes, headerEnd + segment.length + segmentSize.length, true);
  return !!child && SEGMENT_CHILDREN.has(child.value);
}

/** The identification packet each accepted Ogg codec starts with: Opus, Vorbis, FLAC, Speex. */
const OGG_CODECS = ['OpusHead', '\x01vorbis', '\x7fFLAC', 'Speex   '];

/** An Ogg page at `at`: its end, or -1 when there is none (capture pattern, version 0, flags, lacing values that fit). */
function oggPageEnd(bytes: Uint8Array, at: number): number {
  if (at + 27 > bytes.length) return -1;
  if (Buffer.from(bytes.subarray(at, at + 4)).toString('latin1') !== 'OggS' || bytes[at + 4] !== 0 || bytes[at + 5]! > 0b111) return -1;
  const segments = bytes[at + 26]!;
  if (at + 27 + segments > bytes.length) return -1;
  let body = 0;
  for (let i = 0; i < segments; i++) body += bytes[at + 27 + i]!;
  const end = at + 27 + segments + body;
  return end <= bytes.length ? end : -1;
}

/**
 * An Ogg audio file: a first page (beginning-of-stream flag set) that holds together and starts
 * with a known codec's identification packet, followed by the end of the file or another page.
 * `bytes` may be the file's head (`size` its whole length): two pages are at most 128 KiB.
 */
export function isOgg(bytes: Uint8Array, size: number = bytes.length): boolean {
  const end = oggPageEnd(bytes, 0);
  if (end < 0 || !(bytes[5]! & 0x02) || bytes[26] === 0) return false;
  const packet = Buffer.from(bytes.subarray(27 + bytes[26]!, end)).toString('latin1');
  if (!OGG_CODECS.some((id) => packet.startsWith(id))) return false;
  return end === size || oggPageEnd(bytes, end) > 0;
}

/** Top-level ISO BMFF boxes that may follow `ftyp` in an MP4 or M4A file. */
const MP4_BOXES = new Set(['moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'meta', 'moof', 'mfra', 'pdin', 'styp', 'sidx', 'emsg', 'prft', 'junk']);

/**
 * An MP4/M4A file: an `ftyp` box of a sane size (major and minor brand, whole 4-byte compatible
 * brands, printable brand names, at most 1 KiB) followed by a known top-level box that fits in the
 * file. `bytes` may be the file's head (`size` its whole length): the boxes' headers are in its
 * first kilobyte.
 */
export function isMp4(bytes: Uint8Array, size: number = bytes.length): boolean {
  if (bytes.length < 16) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ftypSize = view.getUint32(0);
  if (Buffer.from(bytes.subarray(4, 8)).toString('latin1') !== 'ftyp') return false;
  if (ftypSize < 16 || ftypSize > 1024 || ftypSize % 4 !== 0 || ftypSize + 8 > bytes.length) return false;
  for (let at = 8; at < ftypSize; at += 4) {
    if (at === 12) continue; // minor version: a number
    // Brands are four printable characters; some muxers pad the list with an all-zero one.
    if (!/^([\x20-\x7e]{4}|\0{4})$/.test(Buffer.from(bytes.subarray(at, at + 4)).toString('latin1'))) return false;
  }
  const next = view.getUint32(ftypSize);
  const type = Buffer.from(bytes.subarray(ftypSize + 4, ftypSize + 8)).toString('latin1');
  if (!MP4_BOXES.has(type)) return false;
  // 0: the box runs to the end of the file; 1: a 64-bit size follows the type.
  return next === 0 || next === 1 || (next >= 8 && ftypSize + next <= size);
}
