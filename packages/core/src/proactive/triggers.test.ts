import { describe, expect, it } from 'vitest';
import type { PageCampaign, PageTrigger } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { ClientError } from '../types.js';
import { manualClock } from '../test/fakes.js';
import { FakePage } from '../test/fake-page.js';
import { Triggers } from './triggers.js';

function setup(trigger: PageTrigger, extra: Partial<PageCampaign> = {}, opts: { cart?: number } = {}) {
  const clock = manualClock();
  const page = new FakePage(clock.now);
  const fired: string[] = [];
  const errors: ClientError[] = [];
  const subs = new Set<() => void>();
  const state = { session: { visitorId: 'v1', userId: null, maxUploadBytes: 1, campaigns: [{ id: 'c1', trigger, ...extra }] as PageCampaign[] | undefined } };
  const host = {
    store: { state, subscribe: (l: () => void) => (subs.add(l), () => subs.delete(l)) },
    env: { setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout },
    error: (e: ClientError) => errors.push(e),
  } as unknown as Host;
  const triggers = new Triggers({ host, page, cartValue: () => opts.cart, fire: (id) => fired.push(id) });
  const session = (campaigns: PageCampaign[] | undefined) => {
    state.session = { ...state.session, campaigns };
    for (const l of subs) l();
  };
  return { clock, page, fired, errors, triggers, session };
}

describe('page triggers', () => {
  it('time on page: fires once the page has been open that long, counted from its start', async () => {
    const { clock, fired, page } = setup({ kind: 'time_on_page', seconds: 5 });
    await clock.advance(4999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['c1']);
    await clock.advance(60_000);
    expect(fired).toEqual(['c1']);
    expect(page.listeners).toBe(0);
  });

  it('idle: input starts the count again; a hidden page is not idle; fires once', async () => {
    const { clock, fired, page } = setup({ kind: 'idle', seconds: 3 });
    await clock.advance(2000);
    page.dispatchEvent(new Event('pointermove'));
    await clock.advance(2000);
    expect(fired).toEqual([]);
    page.hide();
    await clock.advance(5000);
    expect(fired).toEqual([]);
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    await clock.advance(2999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['c1']);
    page.dispatchEvent(new Event('keydown'));
    await clock.advance(10_000);
    expect(fired).toEqual(['c1']);
    expect(page.listeners).toBe(0);
  });

  it('scroll depth: fires when the bottom of the viewport passes the percent, once', () => {
    const { page, fired } = setup({ kind: 'scroll_depth', percent: 50 });
    page.scrollTo(1000);
    expect(fired).toEqual([]);
    page.scrollTo(1200);
    page.scrollTo(2000);
    expect(fired).toEqual(['c1']);
    expect(page.listeners).toBe(0);
  });

  it('exit intent on a desktop: the pointer leaving through the top, not through a side or onto an element', () => {
    const { page, fired } = setup({ kind: 'exit_intent' });
    const out = (clientY: number, relatedTarget: EventTarget | null) => page.document.dispatchEvent(Object.assign(new Event('mouseout'), { clientY, relatedTarget }));
    out(300, null);
    out(-1, page);
    expect(fired).toEqual([]);
    out(-1, null);
    out(-1, null);
    expect(fired).toEqual(['c1']);
  });

  it('exit intent on a phone: a fast scroll up, or the page going hidden', async () => {
    const a = setup({ kind: 'exit_intent' });
    a.page.coarse = true;
    a.session([{ id: 'c2', trigger: { kind: 'exit_intent' } }]);
    a.page.scrollTo(2000);
    await a.clock.advance(100);
    a.page.scrollTo(1900);
    expect(a.fired).toEqual([]);
    await a.clock.advance(100);
    a.page.scrollTo(1700);
    expect(a.fired).toEqual(['c2']);

    const b = setup({ kind: 'exit_intent' });
    b.page.coarse = true;
    b.session([{ id: 'c3', trigger: { kind: 'exit_intent' } }]);
    b.page.hide();
    expect(b.fired).toEqual(['c3']);
  });

  it('a tracked event with conditions on its properties', () => {
    const { triggers, fired } = setup({ kind: 'page_event', event: 'coupon_failed', conditions: [{ key: 'total', op: 'gte', value: 50 }] });
    triggers.heard('coupon_failed', { total: 20 });
    triggers.heard('checkout_started', { total: 80 });
    triggers.heard(null);
    expect(fired).toEqual([]);
    triggers.heard('coupon_failed', { total: 80 });
    triggers.heard('coupon_failed', { total: 90 });
    expect(fired).toEqual(['c1']);
  });

  it('cart value: from the context, or a tracked event’s cartValue, once', () => {
    const early = setup({ kind: 'cart_value', minCartValue: 50 }, {}, { cart: 64 });
    expect(early.fired).toEqual(['c1']);
    const later = setup({ kind: 'cart_value', minCartValue: 50 }, {}, { cart: 10 });
    later.triggers.heard('added_to_cart', { cartValue: 30 });
    expect(later.fired).toEqual([]);
    later.triggers.heard('added_to_cart', { cartValue: 55 });
    later.triggers.heard('added_to_cart', { cartValue: 60 });
    expect(later.fired).toEqual(['c1']);
  });

  it('only on a page whose URL matches the trigger’s glob and the audience’s', () => {
    const { page, fired } = setup({ kind: 'scroll_depth', percent: 10, urlPattern: '*/checkout*' }, { urlPattern: 'https://other.test/*' });
    page.scrollTo(3000);
    expect(fired).toEqual([]);
    page.location.href = 'https://other.test/checkout';
    page.scrollTo(3100);
    expect(fired).toEqual(['c1']);
  });

  it('disarms a campaign the next session no longer lists, and everything on stop', () => {
    const { page, fired, session, triggers } = setup({ kind: 'scroll_depth', percent: 50 });
    expect(page.listeners).toBe(1);
    session(undefined);
    expect(page.listeners).toBe(0);
    page.scrollTo(3000);
    expect(fired).toEqual([]);
    session([{ id: 'c4', trigger: { kind: 'exit_intent' } }, { id: 'c5', trigger: { kind: 'idle', seconds: 1 } }]);
    expect(page.listeners).toBeGreaterThan(1);
    triggers.stop();
    expect(page.listeners).toBe(0);
  });

  it('never throws into the page: a failure is an error event', () => {
    const { page, fired, errors } = setup({ kind: 'scroll_depth', percent: 50 });
    Object.defineProperty(page, 'scrollY', { get: () => { throw new Error('no layout'); } });
    expect(() => page.dispatchEvent(new Event('scroll'))).not.toThrow();
    expect(fired).toEqual([]);
    expect(errors).toMatchObject([{ code: 'internal_client', message: expect.stringContaining('no layout') }]);
  });
});
