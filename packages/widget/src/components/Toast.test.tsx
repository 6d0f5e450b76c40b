import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { prompt } from '../test/fake-client.js';
import { Toast } from './Toast.js';

const labels = { reply: 'Reply', dismiss: 'Dismiss', from: 'Message from Mia' };

function setup(p = prompt()) {
  const handlers = { onReply: vi.fn(), onDismiss: vi.fn() };
  const view = render(<Toast prompt={p} fallbackName="Acme" labels={labels} {...handlers} />);
  return { ...handlers, ...view };
}

describe('Toast', () => {
  it('shows the prompt with its author, or the brand when it has none', () => {
    const { rerender } = setup();
    expect(screen.getByText('Need help choosing a size? We reply in minutes.')).toBeTruthy();
    expect(screen.getByText('Mia')).toBeTruthy();
    rerender(<Toast prompt={prompt({ author: { kind: 'bot' } })} fallbackName="Acme" labels={labels} onReply={() => {}} onDismiss={() => {}} />);
    expect(screen.getByText('Acme')).toBeTruthy();
  });

  it('replies and dismisses', () => {
    const { onReply, onDismiss } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(onReply).toHaveBeenCalledWith('p1');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onDismiss).toHaveBeenCalledWith('p1');
  });

  it('offers quick replies instead of a plain reply when the prompt has them', () => {
    const { onReply } = setup(prompt({ quickReplies: [{ label: 'Yes please' }, { label: 'No thanks' }] }));
    expect(screen.queryByRole('button', { name: 'Reply' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Yes please' }));
    expect(onReply).toHaveBeenCalledWith('p1', 'Yes please');
  });

  it('has no axe violations', async () => {
    const { container } = setup();
    expect(await axeViolations(container)).toEqual([]);
  });
});
