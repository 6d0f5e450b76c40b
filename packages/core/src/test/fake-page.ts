import type { PageLike } from '../proactive/triggers.js';

/** A page: window and document as event targets, its scroll, size and URL set by the test. */
export class FakePage extends EventTarget implements PageLike {
  scrollY = 0;
  innerHeight = 800;
  location = { href: 'https://shop.test/checkout' };
  coarse = false;
  readonly document = Object.assign(new EventTarget(), { documentElement: { scrollHeight: 4000 }, visibilityState: 'visible' });
  readonly performance: { now(): number };
  listeners = 0;
  constructor(now: () => number) {
    super();
    const start = now();
    this.performance = { now: () => now() - start };
    for (const target of [this, this.document] as EventTarget[]) {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
        this.listeners++;
        add(...args);
      };
      target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
        this.listeners--;
        remove(...args);
      };
    }
  }
  matchMedia(query: string) {
    return { matches: query === '(pointer: coarse)' && this.coarse };
  }
  scrollTo(y: number) {
    this.scrollY = y;
    this.dispatchEvent(new Event('scroll'));
  }
  hide() {
    this.document.visibilityState = 'hidden';
    this.document.dispatchEvent(new Event('visibilitychange'));
  }
}
