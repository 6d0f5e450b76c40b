import { fireEvent, render, screen, within } from '@testing-library/preact';
import type { MessageView } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { message } from '../test/fake-client.js';
import { en } from '../test/i18n.js';
import { Conversation, WINDOW_MAX, type ConversationProps } from './Conversation.js';

function setup(messages: MessageView[], over: Partial<ConversationProps> = {}) {
  const props: ConversationProps = {
    messages,
    uploads: {},
    i18n: en,
    brandName: 'Acme',
    hasOlder: false,
    loadingOlder: false,
    onLoadOlder: vi.fn(),
    onQuickReply: vi.fn(),
    resolveUrl: vi.fn(async () => 'blob:x'),
    onRetry: vi.fn(),
    onDiscard: vi.fn(),
    ...over,
  };
  return { props, ...render(<Conversation {...props} />) };
}

describe('Conversation', () => {
  it('is a log region announced politely', () => {
    setup([message()]);
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(log.getAttribute('aria-live')).toBe('polite');
  });

  it('groups messages by author and shows the agent name once per group', () => {
    setup([message({ text: 'Hi there' }), message({ text: 'How can I help?' }), message({ own: true, author: { kind: 'visitor' }, text: 'My order' })]);
    expect(screen.getAllByText('Mia')).toHaveLength(1);
    expect(screen.getByText('You')).toBeTruthy();
  });

  it('separates days', () => {
    const { container } = setup([
      message({ createdAt: '2026-01-05T10:00:00Z' }),
      message({ createdAt: '2026-01-07T10:00:00Z' }),
    ]);
    expect(container.querySelectorAll('.day')).toHaveLength(2);
  });

  it('shows sending, sent and read under the visitor’s last message', () => {
    const own = (state: MessageView['state']) => message({ own: true, author: { kind: 'visitor' }, state });
    const { rerender, props } = setup([own('sending')]);
    expect(screen.getByText(/Sending…/)).toBeTruthy();
    rerender(<Conversation {...props} messages={[own('sent')]} />);
    expect(screen.getByText(/Sent/)).toBeTruthy();
    rerender(<Conversation {...props} messages={[own('read')]} />);
    expect(screen.getByText(/Read/)).toBeTruthy();
  });

  it('shows a failed message with the reason, retry and delete', () => {
    const failed = message({
      own: true,
      author: { kind: 'visitor' },
      clientId: 'c-f',
      state: 'failed',
      error: { code: 'unsupported_media_type', message: 'nope' },
    });
    const { props } = setup([failed]);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Not sent');
    expect(alert.textContent).toContain('This type of file is not allowed.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    fireEvent.click(within(alert).getByRole('button', { name: 'Delete' }));
    expect(props.onRetry).toHaveBeenCalledWith('c-f');
    expect(props.onDiscard).toHaveBeenCalledWith('c-f');
  });

  it('renders links safely and never HTML from the network', () => {
    const { container } = setup([message({ text: 'Track it at https://shop.example/t/1 <b>bold</b> javascript:alert(1)' })]);
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://shop.example/t/1');
    expect(links[0]!.getAttribute('rel')).toContain('noopener');
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<b>bold</b>');
  });

  it('offers quick replies under the newest brand message only', () => {
    const ask = message({ quickReplies: [{ label: 'Track my order', value: 'track' }, { label: 'Talk to a person' }] });
    const { props, rerender } = setup([ask]);
    fireEvent.click(screen.getByRole('button', { name: 'Track my order' }));
    expect(props.onQuickReply).toHaveBeenCalledWith({ label: 'Track my order', value: 'track' });
    rerender(<Conversation {...props} messages={[ask, message({ own: true, author: { kind: 'visitor' } })]} />);
    expect(screen.queryByRole('button', { name: 'Track my order' })).toBeNull();
  });

  it('keeps only a window of a long thread in the DOM', () => {
    const many = Array.from({ length: 500 }, () => message());
    const { container } = setup(many);
    const shown = container.querySelectorAll('[data-key]').length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(WINDOW_MAX);
    expect(container.textContent).toContain(many.at(-1)!.text);
  });

  it('asks for older messages when scrolled to the top of what is loaded', () => {
    const { props, container } = setup([message(), message()], { hasOlder: true });
    const scroller = container.querySelector('.scroll')!;
    scroller.scrollTop = 0;
    fireEvent.scroll(scroller);
    expect(props.onLoadOlder).toHaveBeenCalled();
  });

  it('renders intro and outro around the log', () => {
    setup([], { intro: <p>Hello from Acme</p>, outro: <p>Mia is typing…</p> });
    expect(screen.getByText('Hello from Acme')).toBeTruthy();
    expect(screen.getByText('Mia is typing…')).toBeTruthy();
  });

  it('has no axe violations with text, statuses, a failure and quick replies', async () => {
    const { container } = setup([
      message({ text: 'Hello! https://shop.example' }),
      message({ own: true, author: { kind: 'visitor' }, state: 'read' }),
      message({ own: true, author: { kind: 'visitor' }, clientId: 'x', state: 'failed', error: { code: 'network', message: '' } }),
      message({ quickReplies: [{ label: 'Yes' }] }),
    ]);
    expect(await axeViolations(container)).toEqual([]);
  });
});

describe('Conversation scrolling', () => {
  it('jumps back to the newest messages when the visitor sends while reading older ones', () => {
    const many = Array.from({ length: 400 }, () => message());
    const props = {
      uploads: {},
      i18n: en,
      brandName: 'Acme',
      hasOlder: false,
      loadingOlder: false,
      onLoadOlder: vi.fn(),
      onQuickReply: vi.fn(),
      resolveUrl: vi.fn(async () => null),
      onRetry: vi.fn(),
      onDiscard: vi.fn(),
    };
    const { container, rerender } = render(<Conversation {...props} messages={many} />);
    const scroller = container.querySelector('.scroll')!;
    // Scroll up far enough that the window leaves the newest messages.
    for (let i = 0; i < 6; i++) {
      scroller.scrollTop = 0;
      fireEvent.scroll(scroller);
    }
    expect(screen.getByRole('button', { name: 'Jump to newest' })).toBeTruthy();
    const mine = message({ own: true, author: { kind: 'visitor' }, text: 'Back to the present' });
    rerender(<Conversation {...props} messages={[...many, mine]} />);
    expect(screen.queryByRole('button', { name: 'Jump to newest' })).toBeNull();
    expect(screen.getByText('Back to the present')).toBeTruthy();
  });
});

describe('ratings and resolved threads', () => {
  it('shows a rating as its stars (named "Rated 4 of 5") with the comment under them, not as a bubble of the comment alone', async () => {
    const rating = (score: unknown, text = '') => message({ own: true, author: { kind: 'visitor' }, kind: 'rating', text, meta: { score } });
    const { container, rerender, props } = setup([rating(4, 'Quick and friendly')]);
    const stars = screen.getByRole('img', { name: 'Rated 4 of 5' });
    expect(stars.textContent).toBe('★★★★★');
    expect(stars.querySelector('.rated-off')?.textContent).toBe('★');
    expect(screen.getByText('Quick and friendly').closest('.bubble')).toBe(stars.closest('.bubble'));
    expect(await axeViolations(container)).toEqual([]);
    // Without a comment the stars still show; a score that is not 1–5 is shown as the text it has.
    rerender(<Conversation {...props} messages={[rating(5)]} />);
    expect(screen.getByRole('img', { name: 'Rated 5 of 5' })).toBeTruthy();
    rerender(<Conversation {...props} messages={[rating(9, 'Odd score')]} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('Odd score')).toBeTruthy();
  });

  it('offers no quick replies in a resolved thread', () => {
    const ask = message({ quickReplies: [{ label: 'Track my order' }] });
    const { rerender, props } = setup([ask]);
    expect(screen.getByRole('button', { name: 'Track my order' })).toBeTruthy();
    rerender(<Conversation {...props} resolved />);
    expect(screen.queryByRole('group', { name: 'Suggested replies' })).toBeNull();
  });

  it('keeps the newest message and its quick replies in view when content above them grows after drawing', () => {
    const observers: Array<{ callback: () => void; targets: Element[] }> = [];
    vi.stubGlobal(
      'ResizeObserver',
      class {
        entry: { callback: () => void; targets: Element[] };
        constructor(callback: () => void) {
          this.entry = { callback, targets: [] };
          observers.push(this.entry);
        }
        observe(target: Element) {
          this.entry.targets.push(target);
        }
        disconnect() {
          this.entry.targets = [];
        }
      },
    );
    try {
      const { container } = setup([message({ quickReplies: [{ label: 'Track my order' }] })]);
      const scroller = container.querySelector<HTMLElement>('.scroll')!;
      const live = observers.find((o) => o.targets.includes(scroller))!;
      expect(live.targets).toContain(container.querySelector('.log'));
      // An image above decodes: the content is taller, and the view follows it down.
      Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 900 });
      live.callback();
      expect(scroller.scrollTop).toBe(900);
      // Once the visitor has scrolled up to read, growth does not pull them down.
      Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: 300 });
      scroller.scrollTop = 100;
      fireEvent.scroll(scroller);
      Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 1200 });
      live.callback();
      expect(scroller.scrollTop).toBe(100);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('bots and people', () => {
  it('tags a bot’s messages with "Bot" beside its name, and a person’s with nothing', async () => {
    const { container } = setup([
      message({ author: { kind: 'bot', name: 'Acme assistant' }, text: 'I can track orders.' }),
      message({ author: { kind: 'agent', name: 'Leo' }, text: 'Leo here, taking over.' }),
    ]);
    const [botName, agentName] = [...container.querySelectorAll('.author')];
    expect(botName?.textContent).toBe('Acme assistantBot');
    expect(botName?.querySelector('.bot-tag')?.textContent).toBe('Bot');
    expect(agentName?.textContent).toBe('Leo');
    expect(agentName?.querySelector('.bot-tag')).toBeNull();
    expect(await axeViolations(container)).toEqual([]);
  });
});
