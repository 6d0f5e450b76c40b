/**
 * A person is one tap away (docs/server.md, "Who handles a thread"): the shop runs a bot, which
 * answers the shopper's first question; the shopper taps "Talk to a person" and is told a person
 * will reply (with the shop's 30-minute reply time); the bot is silenced; the thread is in the
 * agent console's Queue with the bot's part of the conversation; Sam takes it and answers, and the
 * shopper sees Sam join.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { messages, openConsole, reply } from '../support/agent.js';
import { openPanel, waitForText, write } from '../support/widget.js';
import { axeWidget } from '../support/axe.js';

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  // The demo's own order bot stays off: this journey plays the bot through the public API itself.
  demo = await startDemoServer();
  expect((await demo.api('PUT', '/v1/bot', { enabled: true })).status).toBe(200);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('hands a bot thread to a person with one tap, and an agent takes it from the queue', async () => {
  const s = sessions(browser, 'talk-to-a-person');
  // Dark, so axe checks the button's and the line's contrast there; bypassCSP only lets axe in.
  const shopper = await s.open({ colorScheme: 'dark', bypassCSP: true });
  const { page } = shopper;
  await page.goto(`${demo.url}/product/trail-runner`);
  await openPanel(page);
  await write(page, 'Can I change the size of my order?');
  const thread = await demo.thread((t) => t.lastMessage?.text === 'Can I change the size of my order?');
  expect(thread.assignee).toMatchObject({ kind: 'bot' });
  // The bot answers, as a brand's bot service would, through the REST API.
  const answer = await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Orders can be changed until they ship. Which order is it?', author: { kind: 'bot', name: 'Shop assistant' } });
  expect(answer.status).toBe(201);
  await waitForText(page, 'Orders can be changed until they ship. Which order is it?');

  const talk = page.getByRole('button', { name: 'Talk to a person' });
  await talk.waitFor();
  expect(await talk.evaluate((b) => b.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44);
  expect(await axeWidget(page)).toEqual([]);
  // By keyboard.
  await talk.focus();
  await page.keyboard.press('Enter');
  // What happens next, with the shop's expected reply time; the change itself as a small line.
  await page.getByRole('status').filter({ hasText: 'A person will reply — usually within 30 minutes' }).waitFor();
  await waitForText(page, 'Waiting for a person');
  await talk.waitFor({ state: 'detached' });
  expect(await axeWidget(page)).toEqual([]);
  // The bot stays silent now.
  const silenced = await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Anything else?', author: { kind: 'bot' } });
  expect(silenced).toMatchObject({ status: 409, body: { error: { code: 'bot_not_assigned' } } });

  const agent = await s.open();
  await openConsole(agent.page, demo.url);
  const list = agent.page.getByRole('navigation', { name: 'Conversations' });
  await list.getByText(/^Queue/).click();
  // Its preview says why it waits.
  const row = list.getByRole('button').filter({ hasText: 'Waiting for a person — the shopper tapped “Talk to a person”' });
  await row.getByText(/^Waiting (< 1|\d+) min$/).waitFor();
  await row.click();
  // The bot's part of the conversation, and why the thread is waiting.
  await messages(agent.page).getByText('Orders can be changed until they ship. Which order is it?').waitFor();
  await messages(agent.page).getByText(/Waiting for a person — the shopper tapped/).waitFor();
  // The shopper's own request is in the transcript too.
  await messages(agent.page).getByText('Talk to a person', { exact: true }).waitFor();
  await agent.page.getByRole('group', { name: 'Who handles this conversation' }).getByRole('button', { name: 'Assign to me' }).click();
  await agent.page.getByText('Assigned to you').waitFor();
  await reply(agent.page, 'Hi, Sam here. Which size would you like instead?');

  await waitForText(page, 'Sam joined');
  await waitForText(page, 'Hi, Sam here. Which size would you like instead?');
  await expect.poll(async () => (await demo.api('GET', `/v1/threads/${thread.id}`)).body.assignee).toMatchObject({ kind: 'agent', name: 'Sam' });
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'A person will reply' }).count()).toBe(0);
  expect(shopper.errors).toEqual([]);
  expect(agent.errors).toEqual([]);
  await s.closeAll();
});
