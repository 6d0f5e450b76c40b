import { safeHref } from '@threadline/protocol';

/**
 * What an avatar shows, shared by the panel's Avatar (Preact) and the toast's (plain DOM):
 * a picture only from an http(s) URL (never javascript:, data: or a relative path), else the
 * author's initial.
 */
export function avatarSrc(url: string | undefined): string | null {
  const src = url ? safeHref(url) : null;
  return src && /^https?:/.test(src) ? src : null;
}

/** The letter drawn on the brand colour when there is no picture. */
export function avatarInitial(name: string | undefined): string {
  return (name?.trim()[0] ?? '•').toUpperCase();
}
