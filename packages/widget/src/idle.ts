/**
 * Runs `fn` when the browser is idle, so nothing of ours competes with the page's own load.
 * Safari has no requestIdleCallback: there, wait for `load` and a further task.
 * Returns a cancel function.
 */
export function whenIdle(fn: () => void, timeoutMs = 3000): () => void {
  const w = typeof window === 'undefined' ? undefined : window;
  if (w && typeof w.requestIdleCallback === 'function') {
    const id = w.requestIdleCallback(fn, { timeout: timeoutMs });
    return () => w.cancelIdleCallback(id);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    timer = setTimeout(fn, 1);
  };
  if (!w || w.document.readyState === 'complete') later();
  else w.addEventListener('load', later, { once: true });
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    w?.removeEventListener('load', later);
  };
}
