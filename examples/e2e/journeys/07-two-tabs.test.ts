import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { eventually, launcher, openPanel, openThread, unreadText, waitForText, write } from '../support/widget.js';

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
  await second.waitForTimeout(1500);
  expect(sockets).toHaveLength(1);

  // The agent answers while both panels are closed: both tabs show it as unread.
  const thread = await eventually(async () => (await env.demo.api('GET', '/v1/threads')).body.items[0]);
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Answer for both tabs', author: { kind: 'agent', name: 'Sam' } });
  await eventually(async () => (await unreadText(first)) === '1 unread');
  await eventually(async () => (await unreadText(second)) === '1 unread');
  // Reading it in the first tab clears the badge in the second.
  await openThread(first);
  await waitForText(first, 'Answer for both tabs');
  await eventually(async () => (await unreadText(second)) === null);

  // The second tab writes through the leader's socket.
  await openThread(second);
  await write(second, 'Sent from the second tab');
  await waitForText(first, 'Sent from the second tab');

  // The leader closes; the other tab takes over the socket and keeps sending.
  await first.close();
  await write(second, 'After the leader left');
  const texts = await eventually(async () => {
    const items = (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.map((m: any) => m.text);
    return items.length >= 4 && items;
  }, 20_000);
  expect(texts).toEqual(['Asked from the first tab', 'Answer for both tabs', 'Sent from the second tab', 'After the leader left']);
  expect(sockets.length).toBe(2);
  await s.closeAll();
});
