import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';
import css from '../styles/rich.css?inline';

let sheet: CSSStyleSheet | undefined;

/**
 * Adds the rich chunk's stylesheet to the shadow root its component is drawn in, before the
 * first paint, once per root (the panel's sheets go in through the host; this chunk loads later
 * and carries its own). Same two ways as host.ts: a constructable stylesheet, else `<style>`.
 */
export function useRichStyles(ref: RefObject<Element>): void {
  useLayoutEffect(() => {
    const root = ref.current?.getRootNode();
    if (!(root instanceof ShadowRoot)) return; // unit tests draw into the document
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
      }
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } else if (!root.querySelector('style[data-rich]')) {
      const style = document.createElement('style');
      style.dataset.rich = '';
      style.textContent = css;
      root.prepend(style);
    }
  }, []);
}
