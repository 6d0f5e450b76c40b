import { useEffect } from 'preact/hooks';
import type { PanelContext } from './context.js';

const PARAM = 'tl-continue=';

/**
 * The token of an email's continue link (`#tl-continue=<token>`, possibly beside the page's own
 * fragment parameters), taken out of the address bar at once so it is not bookmarked, shared or
 * kept in the history; null when the page was not opened from one.
 */
export function takeContinueToken(loc: Pick<Location, 'hash' | 'pathname' | 'search'> = location, hist: Pick<History, 'replaceState' | 'state'> = history): string | null {
  const parts = loc.hash.replace(/^#/, '').split('&');
  const found = parts.find((p) => p.startsWith(PARAM));
  if (found === undefined) return null;
  const rest = parts.filter((p) => !p.startsWith(PARAM)).join('&');
  try {
    hist.replaceState(hist.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
  } catch {
    // A sandboxed page may refuse; the link still works, it only stays in the address bar.
  }
  return found.slice(PARAM.length) || null;
}

/**
 * On the panel's first drawing: a page opened from a continue link shows that thread (the widget
 * opened the panel for it, see widget.tsx). A link that is not valid or has expired leaves the
 * panel where it is; the core reports `not_found` as an `error` event.
 */
export function useContinueLink(ctx: PanelContext): void {
  useEffect(() => {
    const token = takeContinueToken();
    if (!token) return;
    void ctx.client.attachThread(token).then((threadId) => {
      if (threadId) ctx.ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId } });
    });
  }, []);
}
