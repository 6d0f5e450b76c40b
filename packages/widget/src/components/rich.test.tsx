import { fireEvent, render, screen, within } from '@testing-library/preact';
import type { Block } from '@threadline/protocol';
import { describe, expect, it, vi } from 'vitest';
import { LOCALES } from '../i18n/locale.js';
import { RICH_STRINGS, type RichStringKey } from '../i18n/rich-strings.js';
import { axeViolations } from '../test/axe.js';
import { message } from '../test/fake-client.js';
import { Blocks, type BlocksProps } from './rich.js';

const card: Extract<Block, { type: 'card' }> = {
  type: 'card',
  title: 'Order A-1001',
  subtitle: 'Blue mug ×2',
  image: { url: 'https://cdn.example/mug.png', alt: 'A blue mug' },
  fields: [
    { label: 'Status', value: 'Shipped' },
    { label: 'ETA', value: 'Fri 4 Dec' },
  ],
  buttons: [
    { type: 'url', label: 'Track parcel', url: 'https://carrier.example/t/123' },
    { type: 'reply', label: 'Something else', value: 'other' },
    { type: 'handoff', label: 'Talk to a person' },
  ],
};
const form: Extract<Block, { type: 'form' }> = {
  type: 'form',
  submitLabel: 'Find my order',
  fields: [
    { name: 'order', label: 'Order number', pattern: 'A-\\d{4}', hint: 'Like A-1234', required: true },
    { name: 'email', label: 'Email', type: 'email', required: true },
  ],
};

function setup(blocks: Block[], over: Partial<BlocksProps> = {}) {
  const props: BlocksProps = {
    message: message({ id: 'm-form', blocks }),
    thread: [],
    locale: 'en',
    onSend: vi.fn(),
    resolveUrl: vi.fn(async () => 'blob:card-image'),
    ...over,
  };
  return { props, ...render(<Blocks {...props} />) };
}

describe('rich messages: buttons and cards', () => {
  it('draws a card with its title, subtitle, image and fields as a description list', () => {
    const { container } = setup([card]);
    expect(screen.getByText('Order A-1001')).toBeTruthy();
    expect(screen.getByText('Blue mug ×2')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'A blue mug' }).getAttribute('src')).toBe('https://cdn.example/mug.png');
    const terms = [...container.querySelectorAll('dt')].map((d) => `${d.textContent}=${d.nextElementSibling?.textContent}`);
    expect(terms).toEqual(['Status=Shipped', 'ETA=Fri 4 Dec']);
  });

  it('opens a url button as a real link in a new tab, without opener, saying so to screen readers', () => {
    setup([card]);
    const link = screen.getByRole('link', { name: 'Track parcel (opens in a new tab)' });
    expect(link.getAttribute('href')).toBe('https://carrier.example/t/123');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('leaves out a link that is not http(s), whatever the server sent', () => {
    setup([{ type: 'buttons', buttons: [{ type: 'url', label: 'Evil', url: 'javascript:alert(1)' }, { type: 'reply', label: 'Fine', value: 'f' }] }]);
    expect(screen.queryByText('Evil')).toBeNull();
    expect(screen.getByRole('button', { name: 'Fine' })).toBeTruthy();
  });

  it('sends a reply button as its label with its value, and a handoff button with handoff: true', () => {
    const { props } = setup([card]);
    fireEvent.click(screen.getByRole('button', { name: 'Something else' }));
    fireEvent.click(screen.getByRole('button', { name: 'Talk to a person' }));
    expect(props.onSend).toHaveBeenNthCalledWith(1, { text: 'Something else', quickReply: 'other' });
    expect(props.onSend).toHaveBeenNthCalledWith(2, { text: 'Talk to a person', handoff: true });
  });

  it('draws network text as text, never as HTML', () => {
    const { container } = setup([{ type: 'card', title: '<img src=x onerror=alert(1)>', fields: [{ label: '<b>x</b>', value: '<i>y</i>' }] }]);
    expect(container.querySelector('img, b, i')).toBeNull();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
  });

  it("fetches a card image of this server's file store through the core, and loads no http image", async () => {
    const resolveUrl = vi.fn(async () => 'blob:card-image');
    setup([{ type: 'card', title: 'A', image: { url: '/v1/files/f1', alt: 'mug' } }, { type: 'card', title: 'B', image: { url: 'http://cdn.example/b.png', alt: 'plain http' } }], { resolveUrl });
    expect((await screen.findByRole('img', { name: 'mug' })).getAttribute('src')).toBe('blob:card-image');
    expect(resolveUrl).toHaveBeenCalledWith(expect.objectContaining({ id: 'f1', url: '/v1/files/f1' }));
    expect(screen.queryByRole('img', { name: 'plain http' })).toBeNull();
  });

  it('draws a carousel as a labelled list the keyboard can reach, one item per card', () => {
    setup([{ type: 'carousel', cards: [card, { ...card, title: 'Order A-1002' }, { title: 'Order A-1003' }] }]);
    const list = screen.getByRole('list', { name: 'Cards' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(list.tabIndex).toBe(0);
  });

  it('has no axe violations with a card, a carousel and a form', async () => {
    const { container } = setup([card, { type: 'carousel', cards: [card, { title: 'Order A-1003' }] }, form]);
    expect(await axeViolations(container)).toEqual([]);
  });
});

describe('rich messages: forms', () => {
  const field = (name: string) => screen.getByRole('textbox', { name: new RegExp(`^${name}`) }) as HTMLInputElement;

  it('checks every field before sending, says what is wrong under it and focuses the first', () => {
    const { props } = setup([form]);
    fireEvent.input(field('Order number'), { target: { value: 'B-12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Find my order' }));
    expect(props.onSend).not.toHaveBeenCalled();
    expect(field('Order number').getAttribute('aria-invalid')).toBe('true');
    expect(field('Order number').getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByText('Check the format. Like A-1234')).toBeTruthy();
    expect(screen.getByText('Fill in this field.')).toBeTruthy();
    expect(document.activeElement).toBe(field('Order number'));
  });

  it('sends the values with the form, the labelled values as text, and then shows the form answered', () => {
    const { props } = setup([form]);
    fireEvent.input(field('Order number'), { target: { value: ' A-1234 ' } });
    fireEvent.input(field('Email'), { target: { value: 'ann@example.com' } });
    fireEvent.submit(field('Email').form!);
    expect(props.onSend).toHaveBeenCalledWith({
      text: 'Order number: A-1234\nEmail: ann@example.com',
      form: { messageId: 'm-form', values: { order: 'A-1234', email: 'ann@example.com' } },
    });
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getByText('Sent')).toBeTruthy();
    expect(screen.getByText('A-1234')).toBeTruthy();
  });

  it('shows a form answered when the thread holds the answer (after a reload)', () => {
    const answer = message({ own: true, meta: { form: { messageId: 'm-form', values: { order: 'A-9999', email: 'b@example.com' } } } });
    setup([form], { thread: [answer] });
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getByText('A-9999')).toBeTruthy();
  });

  it('gives the email field the email type and submits with a real button', () => {
    const { container } = setup([form]);
    expect(field('Email').type).toBe('email');
    expect(container.querySelector('.rich-submit')?.tagName).toBe('BUTTON');
  });
});

describe('rich messages: words', () => {
  it('every locale of the widget has every word, with the same placeholders', () => {
    for (const locale of LOCALES) {
      const words = RICH_STRINGS[locale];
      expect(words, locale).toBeDefined();
      for (const key of Object.keys(RICH_STRINGS.en!) as RichStringKey[]) expect(words![key]?.trim(), `${locale}.${key}`).toBeTruthy();
    }
  });

  it('draws its words in the widget’s language', () => {
    setup([form], { locale: 'zh-CN', message: message({ id: 'm-form', blocks: [{ ...form, submitLabel: undefined } as Block] }) });
    expect(screen.getByRole('button', { name: '发送' })).toBeTruthy();
  });
});
