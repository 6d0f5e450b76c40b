import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { Availability } from '@threadline/protocol';
import type { SessionView } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { createDrafts } from '../drafts.js';
import { createI18n } from '../i18n/i18n.js';
import { LOCALES } from '../i18n/locale.js';
import { NOTIFY_STRINGS, notifyWords } from '../i18n/notify-strings.js';
import type { Locale } from '../i18n/locale.js';
import { createUiStore } from '../state/ui.js';
import { axeViolations } from '../test/axe.js';
import { createFakeClient, emptySnapshot, message, thread, type FakeClient } from '../test/fake-client.js';
import { availabilityLine, notifyStage, replyTime } from './availability.js';
import type { PanelContext } from './context.js';
import { Panel } from './Panel.js';
import { AvailabilityNote } from './NotifyPrompt.js';

const AWAY: Availability = { hours: null, replyTimeMinutes: null, awayMessage: null, agentsOnline: false };
const THERE: Availability = { ...AWAY, agentsOnline: true };
const withMail: SessionView = { ...emptySnapshot().session!, notifyEmail: null };

function setup(client: FakeClient, { locale = 'en', appId = `test-${Math.random()}` }: { locale?: Locale; appId?: string } = {}) {
  const ui = createUiStore();
  ui.dispatch({ type: 'open' });
  ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } });
  const ctx: PanelContext = { client, ui, locale, brandName: 'Acme', drafts: createDrafts(appId), addStyles: () => () => {}, close: () => {}, recorder: undefined };
  return { ctx, ...render(<Panel ctx={ctx} />) };
}

function shopperWrote(availability: Availability | null, session = withMail): FakeClient {
  const client = createFakeClient({ session, threads: [thread({ id: 't1' })], messages: { t1: [message({ own: true, text: 'Is the blue one in stock?' })] } });
  vi.mocked(client.availability).mockResolvedValue(availability);
  return client;
}

describe('the email ask', () => {
  it('asks after the shopper’s first message when nobody of the brand is online, inline, and saves the address', async () => {
    const client = shopperWrote(AWAY);
    const { container } = setup(client);
    const form = await screen.findByRole('form', { name: 'Get the reply by email' });
    // In the conversation, after the shopper's message; the panel is the only dialog.
    expect(screen.getByText('Is the blue one in stock?').compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    fireEvent.input(screen.getByRole('textbox', { name: 'Email address' }), { target: { value: 'alice@example.com' } });
    vi.mocked(client.setNotifyEmail).mockImplementation(async (email) => {
      client.set({ session: { ...withMail, notifyEmail: email } });
      return { ok: true, email };
    });
    fireEvent.click(screen.getByRole('button', { name: 'Email me' }));
    await screen.findByText("We'll email alice@example.com");
    expect(client.setNotifyEmail).toHaveBeenCalledWith('alice@example.com');
    expect(await axeViolations(container)).toEqual([]);
  });

  it('says what is wrong with a refused address and keeps what was typed', async () => {
    const client = shopperWrote(AWAY);
    setup(client);
    const field = await screen.findByRole('textbox', { name: 'Email address' });
    fireEvent.input(field, { target: { value: 'alice@' } });
    vi.mocked(client.setNotifyEmail).mockResolvedValue({ ok: false, error: { code: 'email_invalid', message: 'must be an email address' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Check the email address.');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect((field as HTMLInputElement).value).toBe('alice@');
    vi.mocked(client.setNotifyEmail).mockResolvedValue({ ok: false, error: { code: 'network', message: 'offline' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe("Couldn't save the address. Try again."));
  });

  it('is skippable, and the skip is remembered for the next opening', async () => {
    const appId = `skip-${Math.random()}`;
    const client = shopperWrote(AWAY);
    const first = setup(client, { appId });
    fireEvent.click(await screen.findByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('form', { name: 'Get the reply by email' })).toBeNull();
    first.unmount();
    setup(shopperWrote(AWAY), { appId });
    await act(async () => {}); // availability answered
    expect(screen.queryByRole('form', { name: 'Get the reply by email' })).toBeNull();
  });

  it('shows the address set, lets it change and be removed', async () => {
    const client = shopperWrote(THERE, { ...withMail, notifyEmail: 'alice@example.com' });
    vi.mocked(client.setNotifyEmail).mockImplementation(async (email) => {
      client.set({ session: { ...withMail, notifyEmail: email } });
      return { ok: true, email };
    });
    setup(client);
    fireEvent.click(await screen.findByRole('button', { name: 'Change' }));
    const field = screen.getByRole('textbox', { name: 'Email address' }) as HTMLInputElement;
    expect(field.value).toBe('alice@example.com');
    fireEvent.input(field, { target: { value: 'alice@work.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me' }));
    await screen.findByText("We'll email alice@work.example");
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText(/We'll email/)).toBeNull());
    expect(client.setNotifyEmail).toHaveBeenLastCalledWith(null);
    expect(screen.queryByRole('form', { name: 'Get the reply by email' })).toBeNull();
  });

  it('stops asking when an agent comes online while the ask waits untouched', async () => {
    const client = shopperWrote(AWAY);
    setup(client);
    await screen.findByRole('form', { name: 'Get the reply by email' });
    act(() => client.set({ session: { ...withMail, agentsOnline: true } }));
    expect(screen.queryByRole('form', { name: 'Get the reply by email' })).toBeNull();
    // Everyone gone again: asked again.
    act(() => client.set({ session: { ...withMail, agentsOnline: false } }));
    expect(screen.getByRole('form', { name: 'Get the reply by email' })).toBeTruthy();
  });

  it('keeps the ask the shopper is typing in, and an address given, when an agent comes online', async () => {
    const client = shopperWrote(AWAY);
    setup(client);
    fireEvent.input(await screen.findByRole('textbox', { name: 'Email address' }), { target: { value: 'ali' } });
    act(() => client.set({ session: { ...withMail, agentsOnline: true } }));
    expect((screen.getByRole('textbox', { name: 'Email address' }) as HTMLInputElement).value).toBe('ali');
    act(() => client.set({ session: { ...withMail, notifyEmail: 'alice@example.com', agentsOnline: true } }));
    expect(screen.getByText("We'll email alice@example.com")).toBeTruthy();
  });

  it('is written in Chinese for a Chinese page', async () => {
    setup(shopperWrote(AWAY), { locale: 'zh-CN' });
    expect(await screen.findByRole('form', { name: '通过邮件接收回复' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '暂不需要' })).toBeTruthy();
  });
});

describe('notifyStage', () => {
  const own = [message({ own: true })];
  const base = { session: withMail, messages: own, availability: AWAY, skipped: false, now: Date.parse('2026-11-30T10:00:00Z') };
  it.each([
    ['asks when no agent is online', base, 'ask'],
    ['does not ask while an agent is online in open hours', { ...base, availability: THERE }, null],
    ['asks outside business hours even with an agent online', { ...base, availability: { ...THERE, hours: { timeZone: 'UTC', weekly: {}, holidays: [] } } }, 'ask'],
    ['does not ask before the shopper wrote', { ...base, messages: [message()] }, null],
    ['does not ask on a server that sends no email', { ...base, session: emptySnapshot().session }, null],
    ['does not ask a shopper identified with an email', { ...base, session: { ...withMail, userId: 'u1', notifyIdentified: true } }, null],
    ['does not ask after a skip', { ...base, skipped: true }, null],
    ['does not ask before availability is known', { ...base, availability: null }, null],
    ['shows an address set, whoever is online', { ...base, availability: THERE, session: { ...withMail, notifyEmail: 'a@b.c' } }, 'set'],
  ] as [string, Parameters<typeof notifyStage>[0], ReturnType<typeof notifyStage>][])('%s', (_name, input, stage) => {
    expect(notifyStage(input)).toBe(stage);
  });
});

describe('availabilityLine', () => {
  const en = createI18n('en');
  const w = notifyWords('en');
  // Monday 30 Nov 2026, 12:00 UTC.
  const now = Date.parse('2026-11-30T12:00:00Z');
  const hours = (weekly: object) => ({ ...AWAY, hours: { timeZone: 'UTC', weekly, holidays: [] } });
  it('gives the usual reply time while open', () => {
    expect(availabilityLine({ ...THERE, replyTimeMinutes: 30 }, en, w, now)).toBe('Usually replies within 30 minutes');
    expect(availabilityLine({ ...THERE, replyTimeMinutes: 90 }, en, w, now)).toBe('Usually replies within 2 hours');
    expect(availabilityLine(THERE, en, w, now)).toBeNull();
  });
  it('says when the brand is back outside hours', () => {
    const later = availabilityLine(hours({ mon: [['15:00', '18:00']] }), en, w, now)!;
    expect(later).toMatch(/^We're back at .+ — leave a message$/);
    expect(later).toContain(en.time('2026-11-30T15:00:00Z'));
    expect(availabilityLine(hours({ tue: [['09:00', '18:00']] }), en, w, now)).toMatch(/^We're back tomorrow at /);
    expect(availabilityLine(hours({ thu: [['09:00', '18:00']] }), en, w, now)).toMatch(/^We're back Thursday at /);
    expect(availabilityLine(hours({}), en, w, now)).toBe("We're away right now — leave a message");
  });
  it('changes from "back at" to the reply time when the hours open while shown', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T08:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const client = createFakeClient();
      vi.mocked(client.availability).mockResolvedValue({ ...AWAY, replyTimeMinutes: 30, hours: { timeZone: 'UTC', weekly: { tue: [['09:00', '18:00']] }, holidays: [] } });
      const { ctx } = setup(client);
      const { container } = render(<AvailabilityNote ctx={ctx} i18n={en} />);
      await act(async () => {}); // availability answered
      expect(container.querySelector('.availability')!.textContent).toMatch(/^We're back at .+ — leave a message$/);
      await act(async () => void vi.advanceTimersByTime(60 * 60_000 + 1000));
      expect(container.querySelector('.availability')!.textContent).toBe('Usually replies within 30 minutes');
    } finally {
      vi.useRealTimers();
    }
  });

  it('formats durations through Intl in Chinese', () => {
    expect(replyTime('zh-CN', 10)).toBe('10分钟');
    expect(availabilityLine({ ...THERE, replyTimeMinutes: 10 }, createI18n('zh-TW'), notifyWords('zh-TW'), now)).toBe('通常在 10 分鐘內回覆');
  });
});

describe('the ask’s words', () => {
  it('every locale of the widget has every word, with the same placeholders', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const locale of LOCALES) {
      const words = NOTIFY_STRINGS[locale];
      expect(words, locale).toBeDefined();
      for (const [key, text] of Object.entries(NOTIFY_STRINGS.en!)) {
        const mine: string | undefined = words![key as keyof NonNullable<typeof words>];
        expect(mine?.trim(), `${locale}.${key}`).toBeTruthy();
        expect(holes(mine!), `${locale}.${key}`).toBe(holes(text));
      }
    }
  });
});

