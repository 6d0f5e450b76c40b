import { isRtl, type Locale } from './i18n/locale.js';

/**
 * The widget's home on the page: one element with the attribute `data-threadline` holding an
 * open shadow root, so the page's CSS cannot reach in and ours cannot leak out.
 *
 * Styles go in through constructable stylesheets (`adoptedStyleSheets`), which a strict CSP
 * without `style-src 'unsafe-inline'` allows. Browsers without them (Safari < 16.4) get a
 * `<style>` element instead, which such a CSP blocks: the documented fallback.
 */
export interface Host {
  element: HTMLElement;
  shadow: ShadowRoot;
  /** The element the launcher (plain DOM) and the panel (Preact) render into, as siblings. */
  root: HTMLElement;
  /** Adds a stylesheet; returns a setter to replace its text later (theme, viewport). */
  addStyles(css: string): (css: string) => void;
  remove(): void;
}

/**
 * `locale` is the widget's language: the root gets its `lang` (screen readers' voice, CJK glyphs)
 * and its direction, so right-to-left languages mirror the layout and their sentences keep their
 * punctuation where it belongs. The page's own direction does not change the widget's text
 * direction (English in a right-to-left box reads ".within a few hours"): it moves the launcher's
 * corner (widget.tsx).
 */
export function createHost(container: HTMLElement, locale: Locale): Host {
  const doc = container.ownerDocument;
  // Reuse an empty placeholder the integrator put on the page, else add our own.
  let element = container.querySelector<HTMLElement>('[data-threadline]:not([data-threadline-mounted])');
  const ours = !element;
  if (!element) {
    element = doc.createElement('div');
    element.setAttribute('data-threadline', '');
    container.appendChild(element);
  }
  element.setAttribute('data-threadline-mounted', '');
  const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const root = doc.createElement('div');
  root.className = 'root';
  root.lang = locale;
  root.dir = isRtl(locale) ? 'rtl' : 'ltr';
  shadow.appendChild(root);
  const constructable = supportsAdoptedSheets(shadow);

  return {
    element,
    shadow,
    root,
    addStyles(css) {
      if (constructable) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
        return (next) => sheet.replaceSync(next);
      }
      const style = doc.createElement('style');
      style.textContent = css;
      shadow.insertBefore(style, root);
      return (next) => {
        style.textContent = next;
      };
    },
    remove() {
      root.remove();
      if (constructable) shadow.adoptedStyleSheets = [];
      else shadow.querySelectorAll('style').forEach((s) => s.remove());
      if (ours) element.remove();
      else element.removeAttribute('data-threadline-mounted');
    },
  };
}

function supportsAdoptedSheets(shadow: ShadowRoot): boolean {
  try {
    return 'adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype;
  } catch {
    // Some engines throw on feature probing inside detached documents: treat as unsupported.
    return false;
  }
}
