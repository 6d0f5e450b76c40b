import { render } from 'preact';
import { yieldToPage } from '@threadline/core/bare';
import { createDrafts } from '../drafts.js';
import { loadPanelStrings } from '../i18n/i18n.js';
import controlsCss from '../styles/controls.css?inline';
import panelCss from '../styles/panel.css?inline';
import type { PanelInit, PanelModule } from './context.js';
import { Panel } from './Panel.js';
import { createPreviews } from './previews.js';

/**
 * Entry of the panel chunk, loaded on first open. Its styles are parsed now, the panel drawn in
 * the next task (and in slices from there, see Panel): parsing ~12 KiB of CSS and the first render
 * in one task were most of a long task on a phone.
 */
export const renderPanel: PanelModule['renderPanel'] = (container: HTMLElement, init: PanelInit) => {
  init.addStyles(controlsCss + panelCss);
  const untrack = trackVisualViewport(init);
  const previews = createPreviews();
  let live = true;
  // Arabic and Hebrew words are a chunk of their own: fetched now, waited for before drawing.
  void Promise.all([yieldToPage(), loadPanelStrings(init.locale)]).then(() => {
    if (live) render(<Panel ctx={{ ...init, drafts: createDrafts(init.appId), previews }} shellFirst />, container);
  });
  return () => {
    live = false;
    untrack();
    previews.clear();
    render(null, container);
  };
};

/**
 * The full-screen panel on phones follows the visual viewport, so the virtual keyboard does not
 * cover the composer. Listens only while the panel is open.
 */
function trackVisualViewport({ ui, addStyles }: PanelInit): () => void {
  const vv = typeof window === 'undefined' ? undefined : window.visualViewport;
  if (!vv) return () => {};
  const set = addStyles('');
  const update = () => set(`:host{--tl-vv-height:${Math.round(vv.height)}px;--tl-vv-top:${Math.round(vv.offsetTop)}px}`);
  let on = false;
  const listen = (open: boolean) => {
    if (open === on) return;
    on = open;
    const method = open ? 'addEventListener' : 'removeEventListener';
    vv[method]('resize', update);
    vv[method]('scroll', update);
    if (open) update();
  };
  const sync = () => listen(ui.getSnapshot().open);
  sync();
  const unsubscribe = ui.subscribe(sync);
  return () => {
    unsubscribe();
    listen(false);
  };
}
