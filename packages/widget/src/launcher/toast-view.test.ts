// @testing-library/preact re-exports @testing-library/dom's queries and events; no Preact here.
import { fireEvent, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { prompt } from '../test/fake-client.js';
import { TOAST_STRINGS } from './toast-strings.js';
import { createToastView, type ToastViewProps } from './toast-view.js';

function setup(over: Partial<ToastViewProps> = {}) {
  const container = document.body.appendChild(document.createElement('div'));
  const props: ToastViewProps = { prompt: prompt(), brandName: 'Acme', words: TOAST_STRINGS.en, onReply: vi.fn(), onDismiss: vi.fn(), ...over };
  const view = createToastView(container, props);
  return { container, props, view, update: (next: Partial<ToastViewProps>) => view.update({ ...props, ...next }) };
}

describe('toast view', () => {
  it('is a status region named after its author', () => {
    setup();
    expect(screen.getByRole('status', { name: 'Message from Mia' })).toBeTruthy();
  });

  it('shows the prompt with its author, or the brand when it has none', () => {
    const { update } = setup();
    expect(screen.getByText('Need help choosing a size? We reply in minutes.')).toBeTruthy();
    expect(screen.getByText('Mia')).toBeTruthy();
    update({ prompt: prompt({ author: { kind: 'bot' } }) });
    expect(screen.getByText('Acme')).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Message from Acme' })).toBeTruthy();
    expect(screen.queryByText('Mia')).toBeNull();
  });

  it('stays text with a prompt that carries blocks: its text and quick replies, none of the blocks (the panel draws them)', () => {
    const { container } = setup({
      prompt: prompt({
        quickReplies: [{ label: 'Shipping costs' }],
        blocks: [
          { type: 'card', title: 'Free express shipping', buttons: [{ type: 'url', label: 'Shipping rules', url: 'https://shop.example/shipping' }] },
          { type: 'buttons', buttons: [{ type: 'reply', label: 'Yes, ship it express', value: 'express' }] },
        ],
      }),
    });
    expect(screen.getByText('Need help choosing a size? We reply in minutes.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Shipping costs' })).toBeTruthy();
    expect(container.textContent).not.toMatch(/Free express shipping|Shipping rules|Yes, ship it express/);
    expect(container.querySelector('a')).toBeNull();
  });

  it('without an author name or a brand name, names the sender "Team" in the visitor’s language, never the launcher’s label', () => {
    const { container, update } = setup({ prompt: prompt({ author: { kind: 'bot' } }), brandName: undefined });
    expect(screen.getByText('Team')).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Message from Team' })).toBeTruthy();
    expect(container.querySelector('.avatar-initial')?.textContent).toBe('T');
    update({ words: TOAST_STRINGS['zh-CN'] });
    expect(screen.getByRole('status', { name: '来自客服的消息' })).toBeTruthy();
  });

  it('shows the author’s picture, else the brand’s, else an initial', () => {
    const { container, update } = setup({ prompt: prompt({ author: { kind: 'agent', name: 'Mia', avatarUrl: 'https://cdn.example/mia.png' } }) });
    expect(container.querySelector('img.avatar')?.getAttribute('src')).toBe('https://cdn.example/mia.png');
    expect(container.querySelector('img.avatar')?.getAttribute('alt')).toBe('');
    update({ prompt: prompt({ author: { kind: 'bot' } }), brandAvatarUrl: 'https://cdn.example/acme.png' });
    expect(container.querySelector('img.avatar')?.getAttribute('src')).toBe('https://cdn.example/acme.png');
    update({ prompt: prompt({ author: { kind: 'agent', name: 'mia' } }) });
    const initial = container.querySelector('.avatar.avatar-initial')!;
    expect(initial.textContent).toBe('M');
    expect(initial.getAttribute('aria-hidden')).toBe('true');
    expect(container.querySelectorAll('.avatar')).toHaveLength(1);
  });

  it('puts text from the network in as text, never as markup, and shows pictures only from http(s)', () => {
    const { container } = setup({
      prompt: prompt({
        text: '<img src=x onerror="alert(1)">',
        author: { kind: 'agent', name: '<b>Eve</b>', avatarUrl: 'javascript:alert(1)' },
        quickReplies: [{ label: '<i>Yes</i>' }],
      }),
    });
    expect(screen.getByText('<img src=x onerror="alert(1)">')).toBeTruthy();
    expect(screen.getByText('<b>Eve</b>')).toBeTruthy();
    expect(screen.getByRole('button', { name: '<i>Yes</i>' })).toBeTruthy();
    expect(container.querySelector('img, b, i')).toBeNull();
    expect(container.querySelector('.avatar-initial')?.textContent).toBe('<');
  });

  it('tags a bot’s prompt with "Bot" beside its name, and removes the tag for a person’s', () => {
    const { container, update } = setup({ prompt: prompt({ author: { kind: 'bot', name: 'Acme assistant' } }) });
    expect(container.querySelector('.toast-from')?.textContent).toBe('Acme assistantBot');
    update({ prompt: prompt({ author: { kind: 'agent', name: 'Mia' } }) });
    expect(container.querySelector('.toast-from')?.textContent).toBe('Mia');
    expect(container.querySelector('.bot-tag')).toBeNull();
  });

  it('replies and dismisses', () => {
    const { props } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(props.onReply).toHaveBeenCalledWith('p1');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }).querySelector('svg')!);
    expect(props.onDismiss).toHaveBeenCalledWith('p1');
  });

  it('offers quick replies instead of a plain reply when the prompt has them', () => {
    const { props } = setup({ prompt: prompt({ quickReplies: [{ label: 'Yes please' }, { label: 'No thanks' }] }) });
    expect(screen.queryByRole('button', { name: 'Reply' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    expect(props.onReply).toHaveBeenCalledWith('p1', 'No thanks');
    fireEvent.click(screen.getByRole('button', { name: 'Yes please' }));
    expect(props.onReply).toHaveBeenLastCalledWith('p1', 'Yes please');
  });

  it('keeps its nodes, and focus, when the same prompt comes again', () => {
    const { container, update } = setup();
    const reply = screen.getByRole('button', { name: 'Reply' });
    reply.focus();
    const section = container.querySelector('section')!;
    update({ prompt: prompt({ shown: true }) });
    expect(container.querySelector('section')).toBe(section);
    expect(screen.getByRole('button', { name: 'Reply' })).toBe(reply);
    expect(document.activeElement).toBe(reply);
  });

  it('answers for the prompt it shows now', () => {
    const { props, update } = setup();
    update({ prompt: prompt({ id: 'p2', text: 'Free shipping today' }) });
    expect(screen.getByText('Free shipping today')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(props.onReply).toHaveBeenCalledWith('p2');
  });

  it('destroy removes its nodes and listener', () => {
    const { container, props, view } = setup();
    const reply = screen.getByRole('button', { name: 'Reply' });
    view.destroy();
    expect(container.innerHTML).toBe('');
    fireEvent.click(reply);
    expect(props.onReply).not.toHaveBeenCalled();
  });

  it('has no axe violations', async () => {
    const { container } = setup();
    expect(await axeViolations(container)).toEqual([]);
  });
});
