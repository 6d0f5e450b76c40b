/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits from crypto.getRandomValues —
 * never Math.random(), since these ids are idempotency keys. Monotonic within one ms by
 * incrementing the random tail, so ids made in a burst still sort in creation order.
 */
let lastMs = -1;
let lastTail: Uint8Array | null = null;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  let ms = now;
  if (ms <= lastMs && lastTail) {
    ms = lastMs;
    // increment the 10 random tail bytes (bytes 6..15, skipping version/variant bits below)
    const tail = lastTail;
    for (let i = tail.length - 1; i >= 0; i--) {
      tail[i] = (tail[i]! + 1) & 0xff;
      if (tail[i] !== 0) break;
    }
    bytes.set(tail, 6);
  } else {
    crypto.getRandomValues(bytes.subarray(6));
  }
  lastMs = ms;
  lastTail = bytes.slice(6);
  // Date.now() fits in 48 bits until the year 10889.
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
