/**
 * The loader (`loader.js`, under 1 KiB): the queue stub plus the async load of `threadline.js`
 * from beside itself, for pages that prefer one external script to an inline snippet (strict CSP).
 * `<script async src=".../widget/loader.js" data-app-id="demo">` also boots, with `serverUrl`
 * defaulting to the script's origin.
 *
 * It also imports the main module (`threadline-main.js`, beside `threadline.js`) itself, at the
 * same time: `threadline.js` would only ask for it once it has arrived and run, one round trip
 * later (~150 ms more on a slow 4G network). Both imports are the same module (one fetch, one
 * evaluation; it does nothing at import); `threadline.js` still starts it and reports a failed
 * load, so this one's failure is ignored.
 */
type Stub = ((...args: unknown[]) => void) & { q?: unknown[] };
const w = window as unknown as { Threadline?: Stub; ThreadlineSettings?: { src?: string } };
const d = document;
const T: Stub =
  w.Threadline ||
  function (...args: unknown[]) {
    (T.q = T.q || []).push(args);
  };
w.Threadline = T;
const me = d.currentScript as HTMLScriptElement | null;
const src = w.ThreadlineSettings?.src || (me?.src ? new URL('threadline.js', me.src).href : '');
const appId = me?.dataset.appId;
if (appId && me) T('boot', { appId, serverUrl: me.dataset.serverUrl || new URL(me.src).origin });
if (src && !d.querySelector(`script[src="${src}"]`)) {
  import(/* @vite-ignore */ new URL('threadline-main.js', src).href).catch(() => {});
  const s = d.createElement('script');
  s.async = true;
  s.src = src;
  d.head.appendChild(s);
}
