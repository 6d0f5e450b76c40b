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
