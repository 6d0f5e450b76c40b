import { avatarInitial, avatarSrc } from '../components/avatar-source.js';
import { h } from './dom.js';

/**
 * The toast author's picture, or their initial on the brand colour: the same markup as the
 * panel's Avatar. Decorative: the name is in text beside it.
 */
export function createAvatar(doc: Document, name: string | undefined, url: string | undefined): HTMLElement {
  const src = avatarSrc(url);
  if (src) return h(doc, 'img', { class: 'avatar', src, alt: '' });
  return h(doc, 'span', { class: 'avatar avatar-initial', 'aria-hidden': 'true' }, avatarInitial(name));
}
