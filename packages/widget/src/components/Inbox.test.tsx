import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { message, thread } from '../test/fake-client.js';
import { en } from '../test/i18n.js';
import { Inbox, preview } from './Inbox.js';

const threads = [
  thread({ id: 't1', unread: 2, lastMessage: message({ text: 'Your parcel left our warehouse.', author: { kind: 'agent', name: 'Leo' } }) }),
  thread({ id: 't2', lastMessage: message({ own: true, author: { kind: 'visitor' }, text: 'Thanks!' }) }),
];

function setup(list = threads) {
  const onOpen = vi.fn();
  const onNew = vi.fn();
  const view = render(<Inbox threads={list} i18n={en} brandName="Acme" greeting="Hi! Ask us anything." onOpen={onOpen} onNew={onNew} />);
  return { onOpen, onNew, ...view };
}

describe('Inbox', () => {
  it('lists threads with previews, agent names and unread counts', () => {
    setup();
    expect(screen.getByText('Leo')).toBeTruthy();
    expect(screen.getByText('Your parcel left our warehouse.')).toBeTruthy();
    // The shopper's own text sits in a <bdi> after "You: ", so either direction keeps its order.
    const own = screen.getByText('Thanks!');
    expect(own.tagName).toBe('BDI');
    expect(own.parentElement?.textContent).toBe('You: Thanks!');
    expect(screen.getByText('2 unread')).toBeTruthy();
  });

  it('opens a thread and starts a new conversation', () => {
    const { onOpen, onNew } = setup();
    fireEvent.click(screen.getByRole('button', { name: /Leo/ }));
    expect(onOpen).toHaveBeenCalledWith('t1');
    fireEvent.click(screen.getByRole('button', { name: 'Send us a message' }));
    expect(onNew).toHaveBeenCalled();
  });

  it('says when there is no conversation yet', () => {
    setup([]);
    expect(screen.getByText('No conversations yet.')).toBeTruthy();
  });

  it('previews attachments by kind', () => {
    const photo = message({ text: '', attachments: [{ id: 'a', name: 'p.jpg', mime: 'image/jpeg', size: 1, url: '/f' }] });
    const clip = message({ text: ' ', own: true, author: { kind: 'visitor' }, pendingFiles: [{ index: 0, name: 'v.webm', mime: 'audio/webm', size: 1, attachment: null }] });
    expect(preview(photo, en)).toBe('Photo');
    expect(preview(clip, en)).toBe('You: Voice clip');
  });

  it('has no axe violations', async () => {
    const { container } = setup();
    expect(await axeViolations(container)).toEqual([]);
  });
});
