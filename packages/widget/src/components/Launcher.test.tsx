import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { Launcher } from './Launcher.js';

const labels = { open: 'Open messages', close: 'Close messages', unread: '3 unread' };

describe('Launcher', () => {
  it('is a button named "Open messages" that toggles', () => {
    const onToggle = vi.fn();
    render(<Launcher open={false} unread={0} labels={labels} onToggle={onToggle} />);
    const button = screen.getByRole('button', { name: 'Open messages' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(onToggle).toHaveBeenCalledOnce();
  });

  it('shows the unread badge, described for screen readers, only while closed', () => {
    const { rerender, container } = render(<Launcher open={false} unread={3} labels={labels} onToggle={() => {}} />);
    expect(container.querySelector('.badge')?.textContent).toBe('3');
    expect(screen.getByRole('button', { name: 'Open messages' }).getAttribute('aria-describedby')).toBe('tl-unread');
    rerender(<Launcher open unread={3} labels={labels} onToggle={() => {}} />);
    expect(container.querySelector('.badge')).toBeNull();
    expect(screen.getByRole('button', { name: 'Close messages' })).toBeTruthy();
  });

  it('caps the badge at 99+', () => {
    const { container } = render(<Launcher open={false} unread={250} labels={labels} onToggle={() => {}} />);
    expect(container.querySelector('.badge')?.textContent).toBe('99+');
  });

  it('has no axe violations', async () => {
    const { container } = render(<Launcher open={false} unread={2} labels={labels} onToggle={() => {}} />);
    expect(await axeViolations(container)).toEqual([]);
  });
});
