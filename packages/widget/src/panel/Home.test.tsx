import { act, fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { Availability } from '@threadline/protocol';
import { createDrafts } from '../drafts.js';
import { createUiStore } from '../state/ui.js';
import { axeViolations } from '../test/axe.js';
import { createFakeClient, message, thread, type FakeClient } from '../test/fake-client.js';
import type { PanelContext } from './context.js';
import { Panel } from './Panel.js';

const SETTINGS: Availability = {
  hours: null,
  replyTimeMinutes: 30,
  awayMessage: null,
  agentsOnline: true,
  team: [{ name: 'Mei', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }],
};

function setup(client: FakeClient, over: Partial<PanelContext> = {}) {
  const ui = createUiStore();
  ui.dispatch({ type: 'open' });
  const ctx: PanelContext = {
    client,
    ui,
    locale: 'en',
    brandName: 'Acme',
    brandAvatarUrl: 'https://cdn.example/logo.png',
    drafts: createDrafts(`home-${Math.random()}`),
    addStyles: () => () => {},
    close: vi.fn(),
    ...over,
  };
  return { ui, ...render(<Panel ctx={ctx} />) };
}

function returning(settings: Availability | null = SETTINGS): FakeClient {
  const client = createFakeClient({ threads: [thread({ id: 't1', lastMessage: message({ text: 'Parcel shipped', author: { kind: 'agent', name: 'Leo' } }) })] });
  vi.mocked(client.availability).mockResolvedValue(settings);
  return client;
}

describe('the first screen', () => {
  it('shows the brand, the team from the app’s settings, the reply time, the recent conversations and the way to write', async () => {
    const { ui, container } = setup(returning());
    expect(screen.getByRole('dialog', { name: 'Acme' })).toBeTruthy();
    await screen.findByText('You’ll hear from \u2068Mei\u2069 and \u2068Omar\u2069');
    await screen.findByText('Usually replies within 30 minutes');
    expect(container.querySelector('.home-faces img')?.getAttribute('src')).toBe('https://cdn.example/mei.png');
    expect(screen.getByRole('heading', { name: 'Recent conversations' })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Conversations' })).getByRole('button', { name: /Parcel shipped/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send us a message' }));
    expect(ui.getSnapshot().route).toEqual({ name: 'compose' });
  });

  it('shows no team row while the settings are unknown or name nobody', async () => {
    const { container } = setup(returning({ ...SETTINGS, team: undefined as never }));
    await act(async () => {});
    expect(container.querySelector('.home-team')).toBeNull();
    expect(screen.getByRole('button', { name: 'Send us a message' })).toBeTruthy();
  });

  it('is above a first message for a shopper with no conversation, the field focused', async () => {
    const client = createFakeClient();
    vi.mocked(client.availability).mockResolvedValue(SETTINGS);
    const { container } = setup(client);
    await screen.findByText('You’ll hear from \u2068Mei\u2069 and \u2068Omar\u2069');
    expect(container.querySelector('.home-top > img')?.getAttribute('src')).toBe('https://cdn.example/logo.png');
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Message' }));
    expect(screen.queryByRole('heading', { name: 'Recent conversations' })).toBeNull();
  });

  it('has no axe violations', async () => {
    const { container } = setup(returning());
    await screen.findByText(/You’ll hear from/);
    expect(await axeViolations(container)).toEqual([]);
  });
});
