import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';
import css from '../styles/notify.css?inline';

let sheet: CSSStyleSheet | undefined;

/**
 * Adds the email ask's stylesheet to the shadow root its component is drawn in, before the first
 * paint, once per root: the ask shows in few conversations, so its rules stay out of the panel's
 * stylesheet, which every opening parses. Same two ways as host.ts: a constructable stylesheet,
 * else `<style>`.
 */
export function useNotifyStyles(ref: RefObject<Element>): void {
  useLayoutEffect(() => {
    const root = ref.current?.getRootNode();
    if (!(root instanceof ShadowRoot)) return; // unit tests draw into the document
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
      }
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } else if (!root.querySelector('style[data-notify]')) {
      const style = document.createElement('style');
      style.dataset.notify = '';
      style.textContent = css;
      root.prepend(style);
    }
  }, []);
}
