// @testing-library/preact re-exports @testing-library/dom's queries and events; no Preact here.
import { fireEvent, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { createLauncherView, type LauncherViewProps } from './launcher-view.js';

const labels = { open: 'Open messages', close: 'Close messages', unread: '3 unread' };

function setup(over: Partial<LauncherViewProps> = {}) {
  const container = document.body.appendChild(document.createElement('div'));
  const props: LauncherViewProps = { open: false, unread: 0, labels, onToggle: vi.fn(), onIntent: vi.fn(), ...over };
  const view = createLauncherView(container, props);
  return { container, props, view, update: (next: Partial<LauncherViewProps>) => view.update({ ...props, ...next }) };
}

describe('launcher view', () => {
  it('is a button named "Open messages" that toggles', () => {
    const { props } = setup();
    const button = screen.getByRole('button', { name: 'Open messages' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(props.onToggle).toHaveBeenCalledOnce();
  });

  it('is named "Close messages" and expanded while open, with the close icon', () => {
    const { update } = setup();
    const before = screen.getByRole('button', { name: 'Open messages' }).querySelector('svg path')!.getAttribute('d');
    update({ open: true });
    const button = screen.getByRole('button', { name: 'Close messages' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(button.querySelectorAll('svg')).toHaveLength(1);
    expect(button.querySelector('svg path')!.getAttribute('d')).not.toBe(before);
  });

  it('shows the unread badge, described for screen readers, only while closed', () => {
    const { container, update } = setup({ unread: 3 });
    const badge = container.querySelector('.badge')!;
    expect(badge.textContent).toBe('3');
    expect(badge.getAttribute('aria-hidden')).toBe('true');
    const button = screen.getByRole('button', { name: 'Open messages' });
    expect(button.getAttribute('aria-describedby')).toBe('tl-unread');
    expect(container.querySelector('#tl-unread.sr-only')?.textContent).toBe('3 unread');
    update({ open: true, unread: 3 });
    expect(container.querySelector('.badge')).toBeNull();
    expect(container.querySelector('#tl-unread')).toBeNull();
    expect(button.hasAttribute('aria-describedby')).toBe(false);
    expect(screen.getByRole('button', { name: 'Close messages' })).toBe(button);
  });

  it('has no badge when nothing is unread', () => {
    const { container, update } = setup({ unread: 2 });
    update({ unread: 0 });
    expect(container.querySelector('.badge')).toBeNull();
    expect(screen.getByRole('button', { name: 'Open messages' }).hasAttribute('aria-describedby')).toBe(false);
  });

  it('caps the badge at 99+', () => {
    const { container } = setup({ unread: 250 });
    expect(container.querySelector('.badge')?.textContent).toBe('99+');
  });

  it('reports the intent to open on hover and on focus', () => {
    const { props } = setup();
    const button = screen.getByRole('button', { name: 'Open messages' });
    // jsdom has no PointerEvent (and so no onpointerenter), which trips fireEvent.pointerEnter.
    fireEvent(button, new Event('pointerenter'));
    fireEvent.focus(button);
    expect(props.onIntent).toHaveBeenCalledTimes(2);
  });

  it('destroy removes its nodes and listeners', () => {
    const { container, props, view } = setup({ unread: 4 });
    const button = view.button;
    view.destroy();
    expect(container.innerHTML).toBe('');
    fireEvent.click(button);
    fireEvent.focus(button);
    expect(props.onToggle).not.toHaveBeenCalled();
    expect(props.onIntent).not.toHaveBeenCalled();
  });

  it('has no axe violations', async () => {
    const { container } = setup({ unread: 2 });
    expect(await axeViolations(container)).toEqual([]);
  });
});
