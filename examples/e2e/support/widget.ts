/** What a shopper does with the widget, in the words the widget shows (accessible names). */
import type { Page } from 'playwright-core';

export const launcher = (page: Page) => page.getByRole('button', { name: /^Open messages/ });
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
export const log = (page: Page) => page.getByRole('log');

export async function openPanel(page: Page): Promise<void> {
  await launcher(page).click();
  await composer(page).waitFor({ state: 'visible' }).catch(async () => {
    // The panel opened on the inbox: start a conversation.
    await page.getByRole('button', { name: 'Send us a message' }).click();
    await composer(page).waitFor({ state: 'visible' });
  });
}

export async function write(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Texts of the message bubbles currently in the conversation log. */
export async function bubbles(page: Page, text: string | RegExp) {
  return log(page).getByText(text);
}

export async function waitForText(page: Page, text: string | RegExp, timeout = 10_000): Promise<void> {
  await log(page).getByText(text).first().waitFor({ state: 'visible', timeout });
}

/** Opens the panel and the conversation whose preview contains `text` (or the only one). */
export async function openThread(page: Page, text?: string | RegExp): Promise<void> {
  await launcher(page).click();
  const list = page.getByRole('list', { name: 'Conversations' });
  await Promise.race([list.waitFor({ state: 'visible' }), composer(page).waitFor({ state: 'visible' })]);
  if (await list.isVisible()) {
    const rows = list.getByRole('button');
    await (text ? rows.filter({ hasText: text }).first() : rows.first()).click();
  }
  await composer(page).waitFor({ state: 'visible' });
}

/** How many times `text` shows in the conversation log. */
export async function countInLog(page: Page, text: string): Promise<number> {
  return log(page).getByText(text, { exact: true }).count();
}

/** The launcher's unread description ("2 unread"), or null when there is no badge. */
export async function unreadText(page: Page): Promise<string | null> {
  const badge = page.locator('[data-threadline] #tl-unread');
  return (await badge.count()) ? (await badge.textContent())!.trim() : null;
}
