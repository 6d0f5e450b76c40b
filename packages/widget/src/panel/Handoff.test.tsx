import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { Availability, ThreadAssignee } from '@threadline/protocol';
import type { MessageView } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { createDrafts } from '../drafts.js';
import type { Locale } from '../i18n/locale.js';
import { createUiStore } from '../state/ui.js';
import { axeViolations } from '../test/axe.js';
import { createFakeClient, message, thread, type FakeClient } from '../test/fake-client.js';
import type { PanelContext } from './context.js';
import { Panel } from './Panel.js';

const AVAILABILITY: Availability = { hours: null, replyTimeMinutes: null, awayMessage: null, agentsOnline: true };

const assigned = (seq: number, to: ThreadAssignee, text = 'Waiting for a person'): MessageView =>
  message({
    key: `e${seq}`,
    seq,
    author: { kind: 'system' },
    kind: 'event',
    text,
    meta: { event: 'thread.assigned', from: { kind: 'bot' }, to, by: { kind: 'visitor' }, reason: 'handoff_requested' },
  });

function setup(assignee: ThreadAssignee, messages: MessageView[], { locale = 'en' as Locale, replyTimeMinutes = null as number | null } = {}): FakeClient {
  const client = createFakeClient({ threads: [thread({ id: 't1', assignee })], messages: { t1: messages } });
  vi.mocked(client.availability).mockResolvedValue({ ...AVAILABILITY, replyTimeMinutes });
  const ui = createUiStore();
  ui.dispatch({ type: 'open' });
  ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } });
  const ctx: PanelContext = { client, ui, locale, brandName: 'Acme', drafts: createDrafts(`test-${Math.random()}`), addStyles: () => () => {}, close: () => {}, recorder: undefined };
  render(<Panel ctx={ctx} />);
  return client;
}

const botAnswer = message({ key: 'b1', seq: 2, author: { kind: 'bot', name: 'Order bot' }, text: 'Which order?' });

describe('the handoff', () => {
  it('offers "Talk to a person" in a thread a bot handles, which asks for one with handoff: true', async () => {
    const client = setup({ kind: 'bot' }, [message({ own: true, text: 'where is my order?' }), botAnswer]);
    const button = await screen.findByRole('button', { name: 'Talk to a person' });
    expect(button.tagName).toBe('BUTTON');
    fireEvent.click(button);
    expect(client.send).toHaveBeenCalledWith('t1', { text: 'Talk to a person', handoff: true });
    expect(await axeViolations(document.body)).toEqual([]);
  });

  it('says a person will reply, with the app’s reply time, once the thread waits for one after a handoff', async () => {
    setup({ kind: 'queue' }, [message({ own: true, text: 'human' }), assigned(3, { kind: 'queue' })], { replyTimeMinutes: 30 });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('A person will reply — usually within 30 minutes'));
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
    // The event itself is a small line in the log, in words, never its data.
    const line = screen.getByText('Waiting for a person');
    expect(line.closest('.bubble.system')).not.toBeNull();
    expect(document.body.textContent).not.toContain('thread.assigned');
  });

  it('says it plainly without a reply time, and in the shopper’s language', async () => {
    setup({ kind: 'queue' }, [message({ own: true, text: '人工' }), assigned(3, { kind: 'queue' })], { locale: 'zh-CN' });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('客服人员将尽快在这里回复您'));
    expect(screen.getByText('正在等待人工客服')).toBeTruthy();
  });

  it('names the agent who joined, and says nothing more while an agent has the thread', async () => {
    setup({ kind: 'agent', name: 'Maya' }, [message({ own: true, text: 'human' }), assigned(3, { kind: 'queue' }), assigned(4, { kind: 'agent', name: 'Maya' }, 'Maya joined the conversation')]);
    await screen.findByText('Maya joined');
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
  });

  it('offers the button again when the thread is handed back to the bot', async () => {
    setup({ kind: 'bot' }, [assigned(3, { kind: 'queue' }), assigned(4, { kind: 'bot' }, 'The assistant is back')]);
    await screen.findByRole('button', { name: 'Talk to a person' });
    expect(screen.getByText('The assistant is back')).toBeTruthy();
  });

  it('shows nothing in a thread that waited for a person from the start (an app without a bot)', async () => {
    setup({ kind: 'queue' }, [message({ own: true, text: 'hello' })]);
    await screen.findByText('hello');
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
  });

  it('does not ask twice while the request is on its way', async () => {
    setup({ kind: 'bot' }, [botAnswer, message({ own: true, text: 'Talk to a person', state: 'sending', meta: { handoff: true } })]);
    expect((await screen.findByRole('status')).textContent).toBe('A person will reply here as soon as they can');
    expect(screen.queryByRole('button', { name: 'Talk to a person' })).toBeNull();
  });
});
