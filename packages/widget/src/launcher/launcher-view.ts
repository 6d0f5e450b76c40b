import { h, setAttr, setText } from './dom.js';
import { chatIcon, closeIcon } from './icons.js';

export interface LauncherViewProps {
  open: boolean;
  unread: number;
  labels: { open: string; close: string; unread: string };
  onToggle: () => void;
  /** Hover or focus: a hint to start loading the panel before the click. */
  onIntent?: (() => void) | undefined;
}

export interface LauncherView {
  /** The button, so focus can return to it when the panel closes. */
  readonly button: HTMLButtonElement;
  update(props: LauncherViewProps): void;
  /** Removes the nodes and their listeners. */
  destroy(): void;
}

const UNREAD_ID = 'tl-unread';

/**
 * The round button in the corner, with the unread badge. Its name is "Open messages".
 * Plain DOM rather than Preact, like the rest of the initial chunk: see launcher-root.ts.
 */
export function createLauncherView(parent: Element, initial: LauncherViewProps): LauncherView {
  const doc = parent.ownerDocument;
  let props = initial;
  let iconOpen: boolean | null = null;
  let icon: SVGSVGElement | null = null;

  const wrap = h(doc, 'div', { class: 'launcher-wrap' });
  const button = h(doc, 'button', { type: 'button', class: 'launcher' });
  // The badge sits beside the button, not in it: visible text inside would have to be part of
  // the button's name (WCAG 2.5.3), and the name stays "Open messages"; the count is its description.
  const badge = h(doc, 'span', { class: 'badge', 'aria-hidden': 'true' });
  const description = h(doc, 'span', { id: UNREAD_ID, class: 'sr-only' });
  wrap.append(button);
  parent.append(wrap);

  // Handlers read the current props, so update() never rebinds them.
  const onClick = () => props.onToggle();
  const onIntent = () => props.onIntent?.();
  button.addEventListener('click', onClick);
  button.addEventListener('pointerenter', onIntent);
  button.addEventListener('focus', onIntent);

  const render = () => {
    const { open, unread, labels } = props;
    const showBadge = !open && unread > 0;
    setAttr(button, 'aria-label', open ? labels.close : labels.open);
    setAttr(button, 'aria-expanded', String(open));
    setAttr(button, 'aria-describedby', showBadge ? UNREAD_ID : null);
    if (open !== iconOpen) {
      const next = open ? closeIcon(doc) : chatIcon(doc);
      if (icon) icon.replaceWith(next);
      else button.append(next);
      icon = next;
      iconOpen = open;
    }
    if (showBadge) {
      setText(badge, unread > 99 ? '99+' : String(unread));
      setText(description, labels.unread);
      if (badge.parentNode !== wrap) wrap.append(badge, description);
    } else {
      badge.remove();
      description.remove();
    }
  };
  render();

  return {
    button,
    update(next) {
      props = next;
      render();
    },
    destroy() {
      button.removeEventListener('click', onClick);
      button.removeEventListener('pointerenter', onIntent);
      button.removeEventListener('focus', onIntent);
      wrap.remove();
    },
  };
}
