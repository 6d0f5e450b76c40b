import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { openPanel, waitForText, write } from '../support/widget.js';

const env = withDemo();

it('behind a network that blocks WebSocket, the widget falls back to long-polling and the conversation works', async () => {
  const s = sessions(env.browser, 'websocket-blocked');
  const { page } = await s.open();
  // What a proxy that refuses upgrades looks like to the page: the handshake fails, so the
  // socket fires `error` then `close` (1006) without ever opening.
  await page.addInitScript(() => {
    const Real = window.WebSocket;
    (window as any).__refused = 0;
    class Blocked extends EventTarget {
      static CONNECTING = 0;
      static OPEN = 1;
      static CLOSING = 2;
      static CLOSED = 3;
      readyState = 0;
      binaryType = 'blob';
      onopen: unknown = null;
      onmessage: unknown = null;
      onerror: ((e: Event) => void) | null = null;
      onclose: ((e: CloseEvent) => void) | null = null;
      constructor(readonly url: string) {
        super();
        (window as any).__refused++;
        setTimeout(() => {
          this.readyState = 3;
          const error = new Event('error');
          this.onerror?.(error);
          this.dispatchEvent(error);
          const close = new CloseEvent('close', { code: 1006, wasClean: false });
          this.onclose?.(close);
          this.dispatchEvent(close);
        }, 20);
      }
      send() {}
      close() {}
    }
    (window as any).WebSocket = function (url: string, protocols?: string | string[]) {
      return String(url).includes('/socket.io/') ? new Blocked(String(url)) : new Real(url, protocols);
    };
    Object.assign((window as any).WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  });
  const chunks: string[] = [];
  page.on('request', (req) => chunks.push(new URL(req.url()).pathname));

  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Hello over long-polling');
  await waitForText(page, 'Hello over long-polling');
  await page.getByText('Sent').first().waitFor({ timeout: 20_000 });

  expect(await page.evaluate(() => (window as any).__refused)).toBeGreaterThanOrEqual(2);
  expect(chunks.some((p) => /\/widget\/tl-polling-[\w-]+\.js$/.test(p))).toBe(true);
  expect(chunks.some((p) => p.startsWith('/socket.io/'))).toBe(true);
  await s.closeAll();
});

it('where WebSocket works, the long-polling code is never downloaded', async () => {
  const s = sessions(env.browser, 'websocket-ok');
  const { page } = await s.open();
  const requests: string[] = [];
  page.on('request', (req) => requests.push(new URL(req.url()).pathname));
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Hello over WebSocket');
  await page.getByText('Sent').first().waitFor();
  await expect.poll(() => requests.some((p) => p.startsWith('/widget/threadline-main'))).toBe(true);
  expect(requests.filter((p) => /\/widget\/tl-polling-/.test(p))).toEqual([]);
  expect(requests.filter((p) => p.startsWith('/socket.io/'))).toEqual([]);
  await s.closeAll();
});
