import { avatarInitial, avatarSrc } from './avatar-source.js';

/** An author's picture, or their initial on the brand colour. Decorative: names are in text. */
export function Avatar({ name, url }: { name?: string | undefined; url?: string | undefined }) {
  const src = avatarSrc(url);
  if (src) return <img class="avatar" src={src} alt="" />;
  return (
    <span class="avatar avatar-initial" aria-hidden="true">
      {avatarInitial(name)}
    </span>
  );
}
