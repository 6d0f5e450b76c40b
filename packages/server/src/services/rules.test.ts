import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, sleep, startServer, tempDir, type Harness } from '../test/harness.js';
import { loadRules } from './rules.js';

let h: Harness;
const rulesFile = path.join(tempDir(), 'rules.json');

beforeAll(async () => {
  fs.writeFileSync(
    rulesFile,
    JSON.stringify({
      rules: [
        {
          id: 'checkout-help',
          when: { event: 'checkout_started', urlContains: '/checkout', minCartValue: 10 },
          delayMs: 150,
          message: { text: 'Need help with your order?', display: 'toast', author: { kind: 'bot', name: 'Shop assistant' } },
          cap: { count: 1, perMs: 86_400_000 },
        },
      ],
    }),
  );
  h = await startServer({ rulesFile });
});
afterAll(() => h.close());

async function atCheckout(cartValue: number) {
  const v = await connect(h.url);
  await v.call('context.update', { page: { url: 'http://shop.test/checkout' } });
  return { v, track: () => v.call('track', { name: 'checkout_started', props: { cartValue } }) };
}

describe('campaign rules', () => {
  it('pushes the prompt after the delay, once per visitor per day however often the event repeats', async () => {
    const { v, track } = await atCheckout(42);
    const prompt = v.next('proactive', 2000);
    await track();
    await track(); // a second tab or a reload: still one timer
    const p = await prompt;
    expect(p).toMatchObject({ text: 'Need help with your order?', campaign: 'checkout-help', display: 'toast', author: { kind: 'bot', name: 'Shop assistant' } });
    expect(p.expiresAt).not.toBeNull();
    await track();
    await sleep(400);
    expect(v.received.proactive).toHaveLength(1);
    v.close();
  });

  it('does not push when the cart is below the threshold, the page does not match, or the visitor left', async () => {
    const small = await atCheckout(5);
    await small.track();

    const elsewhere = await connect(h.url);
    await elsewhere.call('context.update', { page: { url: 'http://shop.test/products' } });
    await elsewhere.call('track', { name: 'checkout_started', props: { cartValue: 50 } });

    const gone = await atCheckout(50);
    await gone.track();
    gone.v.close();

    await sleep(500);
    expect(small.v.received.proactive ?? []).toHaveLength(0);
    expect(elsewhere.received.proactive ?? []).toHaveLength(0);
    const sync = await (await connect(h.url, { token: gone.v.session.token })).call('sync', { cursors: {} });
    expect(sync.proactive).toHaveLength(0);
    small.v.close();
    elsewhere.close();
  });

  it('refuses an invalid rules file with the path of the problem', () => {
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ id: 'x', when: {}, message: { text: 'hi' } }]));
    expect(() => loadRules(bad)).toThrow(/invalid rules at 0\.when\.event/);
  });
});
