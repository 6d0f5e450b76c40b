/** How long a stored file name may be, in characters (code points, so an emoji is never cut in half). */
export const MAX_FILE_NAME_CHARS = 120;

/**
 * Characters that make a name display as something it is not, or that cannot travel in a header:
 * controls (C0 and C1), format characters such as the bidirectional overrides and isolates
 * (U+202A–202E, U+2066–2069: `invoice<U+202E>fdp.hta` displays as `invoiceath.pdf`), marks
 * (U+200E, U+200F, U+061C), zero-width joiners and spaces, the BOM and the soft hyphen; line and
 * paragraph separators; and lone surrogates, which `encodeURIComponent` refuses.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** A name safe to show and to put in Content-Disposition: no path, no invisible or reserved characters, bounded length. */
export function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(INVISIBLE, '')
    .replace(/["<>|:*?]/g, '')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  return Array.from(cleaned).slice(0, MAX_FILE_NAME_CHARS).join('').trim() || 'file';
}

/**
 * File-name extensions per stored type; the first is the one added. Only harmless ones: a name
 * ending in `.html`, `.svg`, `.js`, `.bat` or `.hta` must never reach a desktop that would open
 * it with a browser or a script host, whatever the bytes are.
 */
const EXTENSIONS: Record<string, readonly string[]> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'audio/webm': ['webm', 'weba'],
  'audio/ogg': ['ogg', 'oga', 'opus'],
  'audio/mp4': ['m4a', 'mp4'],
  'audio/mpeg': ['mp3', 'mp2', 'mpga'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt', 'text', 'log'],
};

/**
 * The name a file is stored, reported and served under: `safeFileName`, with an extension that
 * fits the sniffed type. A fitting extension is kept (`.jpeg` for a JPEG); any other gets the
 * type's extension appended (`evil.html` sniffed as text becomes `evil.html.txt`), which keeps
 * what the sender called it readable for the agent while the last extension, the one operating
 * systems act on, is harmless. Idempotent, so names stored before this rule are served through it.
 */
export function fileNameFor(name: string | undefined, mime: string): string {
  const safe = safeFileName(name);
  const extensions = EXTENSIONS[mime];
  if (!extensions) return safe;
  const dot = safe.lastIndexOf('.');
  if (dot > 0 && extensions.includes(safe.slice(dot + 1).toLowerCase())) return safe;
  const suffix = `.${extensions[0]}`;
  const stem = Array.from(safe).slice(0, MAX_FILE_NAME_CHARS - suffix.length).join('').replace(/[.\s]+$/, '');
  return `${stem || 'file'}${suffix}`;
}
