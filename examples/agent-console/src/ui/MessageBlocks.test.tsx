import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { Block } from '@threadline/protocol';
import { AnswerMeta, MessageBlocks } from './MessageBlocks.js';

const card = {
  title: 'Order A-1001',
  subtitle: 'Trail Runner',
  image: { url: '/v1/files/f1', alt: 'shoe' },
  fields: [{ label: 'Status', value: 'Shipped' }],
  buttons: [
    { type: 'url' as const, label: 'Track', url: 'https://carrier.example/t/1' },
    { type: 'reply' as const, label: 'Thanks', value: 'done' },
    { type: 'handoff' as const, label: 'Talk to a person' },
  ],
};

describe('MessageBlocks (read only)', () => {
  it('shows a card’s title, fields and buttons as text, and a url button as a safe link', () => {
    const { container } = render(<MessageBlocks blocks={[{ type: 'card', ...card }]} />);
    expect(screen.getByText('Order A-1001')).toBeTruthy();
    expect([...container.querySelectorAll('dt')].map((d) => `${d.textContent}=${d.nextElementSibling?.textContent}`)).toEqual(['Status=Shipped']);
    const link = screen.getByRole('link', { name: 'Track ↗' });
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByText('Talk to a person (handoff)')).toBeTruthy();
    // Nothing to click for the shopper: buttons are labels, not buttons.
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('counts a carousel’s cards, lists a form’s fields with their patterns, and leaves out a javascript: link', () => {
    const blocks: Block[] = [
      { type: 'carousel', cards: [card, { title: 'Order A-1002' }] },
      { type: 'form', fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', required: true }] },
      { type: 'buttons', buttons: [{ type: 'url', label: 'Evil', url: 'javascript:alert(1)' }] },
    ];
    render(<MessageBlocks blocks={blocks} />);
    expect(screen.getByText('Carousel · 2 cards')).toBeTruthy();
    expect(screen.getByText(/pattern A-\\d\{4\}/)).toBeTruthy();
    expect(screen.getByText('Evil').closest('a')).toBeNull();
  });

  it('shows a form answer’s values and a request for a person on the visitor’s message', () => {
    render(<AnswerMeta meta={{ handoff: true, form: { messageId: 'm1', values: { order: 'A-1001', email: 'a@example.com' } } }} />);
    expect(screen.getByText('Asked for a person')).toBeTruthy();
    expect(screen.getByText('A-1001')).toBeTruthy();
    expect(screen.getByText('a@example.com')).toBeTruthy();
  });
});
