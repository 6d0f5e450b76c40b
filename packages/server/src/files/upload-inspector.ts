import { id3v2End } from './mpeg-audio.js';
import { PlainTextCheck, type FileFacts } from './sniff.js';

/**
 * Bytes of an upload kept for the sniffer: one chunk of the database store. Every check reads well
 * inside it (two whole Ogg pages are 128 KiB; the other containers' first structures, a few dozen
 * bytes), and so do the dimensions of nearly every image (a JPEG whose metadata before its frame
 * header is longer gets no width and height, which are optional).
 */
export const HEAD_BYTES = 256 * 1024;

/** Zero padding some taggers leave after an ID3v2 tag, before the first MPEG frame, kept in the head too. */
const AFTER_ID3_BYTES = 64 * 1024;

/**
 * Passes an upload's bytes through as they arrive, keeping only what deciding on it needs: its
 * length, its head and whether it is plain text throughout. After the last byte, `decide` gets
 * those facts and throws to refuse the file; a `FileStore.put` consuming this sees the error before
 * it makes the file visible, so a refused upload is never served and leaves nothing behind.
 *
 * Memory: the head, `HEAD_BYTES`, or for MP3 with an ID3v2 tag (cover art can be megabytes) the
 * tag and 64 KiB after it, since the frames that prove it MP3 follow the tag; never more than the
 * upload cap.
 */
export async function* inspectUpload(source: AsyncIterable<Uint8Array>, decide: (facts: FileFacts) => Promise<void>): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let headBytes = 0;
  let headLimit = HEAD_BYTES;
  let id3Checked = false;
  let size = 0;
  const text = new PlainTextCheck();
  for await (const piece of source) {
    const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    size += bytes.length;
    if (headBytes < headLimit) {
      const kept = bytes.subarray(0, headLimit - headBytes);
      head.push(kept);
      headBytes += kept.length;
      if (!id3Checked && headBytes >= 10) {
        id3Checked = true;
        const tagEnd = id3v2End(Buffer.concat(head).subarray(0, 10));
        if (tagEnd > 0) {
          headLimit = Math.max(HEAD_BYTES, tagEnd + AFTER_ID3_BYTES);
          // The rest of this piece may belong to the grown head.
          const more = bytes.subarray(kept.length, kept.length + headLimit - headBytes);
          if (more.length) {
            head.push(more);
            headBytes += more.length;
          }
        }
      }
    }
    text.update(bytes);
    yield bytes;
  }
  await decide({ head: Buffer.concat(head), size, text: text.result() });
}
