import type { BrowserContext, Route } from 'playwright-core';

/**
 * Records every page asset the context loads so it can be replayed while "the network is gone":
 * with `down = true`, cached GETs are served from memory and everything else (the socket, uploads)
 * is refused, as it would be for a shopper on a train. Launch the browser with
 * `--disable-features=LocalNetworkAccessChecks` when using it: Chromium treats replayed pages as
 * an unknown address space and would otherwise block their later connections to localhost.
 */
export async function replayable(context: BrowserContext): Promise<{ down: boolean }> {
  const cache = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
  const state = { down: false };
  await context.route('**/*', async (route: Route) => {
    const request = route.request();
    const url = request.url();
    if (state.down) {
      const hit = request.method() === 'GET' ? cache.get(url) : undefined;
      return hit ? route.fulfill(hit) : route.abort('internetdisconnected');
    }
    if (url.includes('/socket.io/')) return route.continue();
    const res = await route.fetch();
    const body = await res.body();
    if (request.method() === 'GET' && !url.includes('/v1/')) cache.set(url, { status: res.status(), headers: res.headers(), body });
    return route.fulfill({ response: res, body });
  });
  return state;
}

export const REPLAY_FLAGS = ['--disable-features=LocalNetworkAccessChecks'];
