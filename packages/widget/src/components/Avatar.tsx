import { safeHref } from '../text/linkify.js';

/** An author's picture, or their initial on the brand colour. Decorative: names are in text. */
export function Avatar({ name, url }: { name?: string | undefined; url?: string | undefined }) {
  const src = url ? safeHref(url) : null;
  if (src && /^https?:/.test(src)) return <img class="avatar" src={src} alt="" />;
  return (
    <span class="avatar avatar-initial" aria-hidden="true">
      {(name?.trim()[0] ?? '•').toUpperCase()}
    </span>
  );
}
