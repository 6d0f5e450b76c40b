import { render } from 'preact';
import { inSlices, yieldToPage } from '@threadline/core/bare';
import { createDrafts } from '../drafts.js';
import { loadPanelStrings } from '../i18n/i18n.js';
import controlsCss from '../styles/controls.css?inline';
import panelCss from '../styles/panel.css?inline';
import { canRecord, mediaRecorder } from '../voice/recorder.js';
import type { PanelContext, PanelInit, PanelModule } from './context.js';
import { Panel } from './Panel.js';
import { createPreviews } from './previews.js';

/**
 * Entry of the panel chunk, loaded on first open. Its styles are parsed now; then each of these
 * in a task of its own: the visual viewport's first reading (it lays the page out with the new
 * styles), what the panel reads from the browser (see panelContext), and the panel's drawing (in
 * slices from there, see Panel). Parsing ~12 KiB of CSS, that layout, the page's first touch of
 * localStorage and the first render in one task were a long task on a phone.
 */
export const renderPanel: PanelModule['renderPanel'] = (container: HTMLElement, init: PanelInit) => {
  init.addStyles(controlsCss + panelCss);
  const previews = createPreviews();
  let live = true;
  let untrack = () => {};
  let ctx: PanelContext | null = null;
  // Arabic and Hebrew words are a chunk of their own: fetched now, waited for before the first step.
  const words = loadPanelStrings(init.locale);
  void inSlices(
    [() => (untrack = trackVisualViewport(init)), () => (ctx = panelContext(init, previews)), () => render(<Panel ctx={ctx!} shellFirst />, container)],
    () => words.then(() => yieldToPage()),
    () => !live,
  );
  return () => {
    live = false;
    untrack();
    previews.clear();
    render(null, container);
  };
};

/**
 * The context, with what the panel reads from the browser once: the drafts' localStorage (a
 * page's first read of it is a synchronous round trip to the browser, a few ms on a phone), the
 * pointer's kind and whether the microphone can record. Read here, they cost the renders nothing.
 */
function panelContext(init: PanelInit, previews: PanelContext['previews']): PanelContext {
  const drafts = createDrafts(init.appId);
  drafts.get('');
  return {
    ...init,
    drafts,
    previews,
    coarsePointer: typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches,
    recorder: init.recorder ?? (canRecord() ? mediaRecorder : undefined),
  };
}

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
