/** The brand side in the demo's agent console, in the words it shows. */
import type { Page } from 'playwright-core';
import { API_KEY } from './demo.js';

export async function openConsole(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/agent/#key=${encodeURIComponent(API_KEY)}&name=Sam`);
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
}

export async function openConversation(page: Page, preview: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button').filter({ hasText: preview }).first().click();
  await page.getByRole('textbox', { name: 'Reply' }).waitFor();
}

export async function reply(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Reply' });
  await box.fill(text);
  await box.press('Enter');
}

export const messages = (page: Page) => page.getByRole('log', { name: 'Messages' }).or(page.locator('[aria-label="Messages"]'));
