import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { launcher, openPanel, openThread, unreadText, waitForText, write } from '../support/widget.js';

const env = withDemo();

it('two tabs of the shop share one socket, stay in sync, and closing the leader loses nothing', async () => {
  const s = sessions(env.browser, 'two-tabs');
  const { context, page: first } = await s.open();
  const sockets: string[] = [];
  context.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
  first.on('websocket', (ws) => sockets.push(ws.url()));

  await first.goto(`${env.demo.url}/`);
  await openPanel(first);
  await write(first, 'Asked from the first tab');
  await waitForText(first, 'Asked from the first tab');
  await first.keyboard.press('Escape');
  const second = await context.newPage();
  await second.goto(`${env.demo.url}/cart`);
  await launcher(second).waitFor();

  // The agent answers while both panels are closed: both tabs show it as unread — the second
  // through the first tab's socket: once it shows, the second tab is running, and it has not
  // opened a socket of its own.
  const thread = await env.demo.thread();
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Answer for both tabs', author: { kind: 'agent', name: 'Sam' } });
  await expect.poll(() => unreadText(first)).toBe('1 unread');
  await expect.poll(() => unreadText(second)).toBe('1 unread');
  expect(sockets).toHaveLength(1);
  // Reading it in the first tab clears the badge in the second.
  await openThread(first);
  await waitForText(first, 'Answer for both tabs');
  await expect.poll(() => unreadText(second)).toBeNull();

  // The second tab writes through the leader's socket.
  await openThread(second);
  await write(second, 'Sent from the second tab');
  await waitForText(first, 'Sent from the second tab');
  expect(sockets).toHaveLength(1);

  // The leader closes; the other tab takes over the socket and keeps sending.
  await first.close();
  await write(second, 'After the leader left');
  await expect
    .poll(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.map((m: any) => m.text), { timeout: 20_000 })
    .toEqual(['Asked from the first tab', 'Answer for both tabs', 'Sent from the second tab', 'After the leader left']);
  expect(sockets.length).toBe(2);
  await s.closeAll();
});
