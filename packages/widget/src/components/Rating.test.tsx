import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import { Rating } from './Rating.js';

describe('Rating', () => {
  it('asks for 1–5 and sends the score with an optional comment', () => {
    const onRate = vi.fn();
    render(<Rating i18n={en} rated={null} onRate={onRate} />);
    expect(screen.getByText('How did we do?')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '4 of 5' }));
    expect(screen.getByRole('button', { name: '4 of 5' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.input(screen.getByRole('textbox', { name: 'Comment (optional)' }), { target: { value: ' Quick and kind ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    expect(onRate).toHaveBeenCalledWith(4, 'Quick and kind');
  });

  it('sends no comment when left empty', () => {
    const onRate = vi.fn();
    render(<Rating i18n={en} rated={null} onRate={onRate} />);
    fireEvent.click(screen.getByRole('button', { name: '5 of 5' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    expect(onRate).toHaveBeenCalledWith(5, undefined);
  });

  it('thanks once rated', () => {
    render(<Rating i18n={en} rated={{ score: 5 }} onRate={() => {}} />);
    expect(screen.getByRole('status').textContent).toBe('Thanks for your feedback!');
  });

  it('has no axe violations', async () => {
    const { container } = render(<Rating i18n={en} rated={null} onRate={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: '3 of 5' }));
    expect(await axeViolations(container)).toEqual([]);
  });
});
