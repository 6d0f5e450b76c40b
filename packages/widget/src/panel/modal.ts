import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

/** Below this width the panel is full screen (panel.css), and then a modal dialog. */
const PHONE = '(max-width: 639px)';

/** What Tab may reach; `trapTab` leaves out the disabled, tabindex=-1 (the hidden file inputs), hidden and inert. */
const FOCUSABLE = 'a[href],button,input,textarea,select,[tabindex]';

/**
 * On a phone the panel covers the screen: it is a modal dialog (`aria-modal`), everything else on
 * the page is inert (no focus, no clicks, out of the accessibility tree) and Tab cycles inside it.
 * On a desktop it stays a non-modal dialog beside the page. Follows the viewport while open
 * (a phone turned, a window resized) and gives everything back when the panel closes.
 */
export function useModalOnPhones(ref: RefObject<HTMLElement>, open: boolean): void {
  useEffect(() => {
    const section = ref.current;
    if (!open || !section || typeof matchMedia !== 'function') return;
    const query = matchMedia(PHONE);
    let restore: (() => void) | null = null;
    const sync = () => {
      if (query.matches && !restore) {
        section.setAttribute('aria-modal', 'true');
        restore = inertOutside(hostOf(section));
      } else if (!query.matches && restore) {
        section.removeAttribute('aria-modal');
        restore();
        restore = null;
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Tab' && restore) trapTab(section, e);
    };
    sync();
    query.addEventListener('change', sync);
    section.addEventListener('keydown', onKey);
    return () => {
      query.removeEventListener('change', sync);
      section.removeEventListener('keydown', onKey);
      section.removeAttribute('aria-modal');
      restore?.();
    };
  }, [open]);
}

/** The widget's element on the page: the shadow root's host (or the element itself outside one, in tests). */
function hostOf(el: Element): Element {
  const root = el.getRootNode();
  return root instanceof ShadowRoot ? root.host : el;
}

/**
 * Makes every sibling of `el` and of each of its ancestors up to `<body>` inert, so the rest of the
 * page is out of reach while `el` stays usable; returns the undo. Elements the page adds there
 * meanwhile (a cookie banner, a toast, its own dialog) are made inert as they come, until the undo.
 * Elements the page had made inert itself are left as they were.
 */
export function inertOutside(el: Element): () => void {
  const changed: Element[] = [];
  // The widget's own branch (any element holding it) stays usable.
  const make = (node: Node) => {
    const sibling = node as Element;
    if (node.nodeType !== 1 || sibling.contains(el) || sibling.hasAttribute('inert') || /^s(cript|tyle)$/.test(sibling.localName)) return;
    sibling.setAttribute('inert', '');
    changed.push(sibling);
  };
  // Without `subtree`: only elements added beside the branch, as the loop below finds them.
  const added = new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(make)));
  for (let node: Element = el; node.parentElement && node !== el.ownerDocument.body; node = node.parentElement) {
    [...node.parentElement.children].forEach(make);
    added.observe(node.parentElement, { childList: true });
  }
  return () => {
    added.disconnect();
    changed.forEach((s) => s.removeAttribute('inert'));
  };
}

/** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
function trapTab(section: HTMLElement, e: KeyboardEvent): void {
  const items = [...section.querySelectorAll<HTMLInputElement>(FOCUSABLE)].filter((el) => el.tabIndex >= 0 && !el.disabled && !el.closest('[hidden],[inert]'));
  if (!items.length) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = (section.getRootNode() as Document | ShadowRoot).activeElement;
  if (!e.shiftKey && (active === last || active === section)) {
    e.preventDefault();
    first.focus();
  } else if (e.shiftKey && (active === first || active === section)) {
    e.preventDefault();
    last.focus();
  }
}
