import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n.js';
import { en } from '../test/i18n.js';
import { Banner } from './Banner.js';

describe('Banner', () => {
  it('tells the visitor when offline that messages will go out later', () => {
    render(<Banner connection="offline" storageFallback={false} i18n={en} />);
    expect(screen.getByRole('status').textContent).toBe("You're offline. Messages will be sent when you're back online.");
  });

  it('says it is reconnecting after a lost connection, and when refused', () => {
    const { rerender } = render(<Banner connection="disconnected" storageFallback={false} i18n={en} />);
    expect(screen.getByRole('status').textContent).toBe('Connecting…');
    rerender(<Banner connection="refused" storageFallback={false} i18n={en} />);
    expect(screen.getByRole('status').textContent).toBe("Can't reach messages right now.");
  });

  it('shows nothing when connected, or while first connecting', () => {
    const { container, rerender } = render(<Banner connection="connected" storageFallback={false} i18n={en} />);
    expect(container.textContent).toBe('');
    rerender(<Banner connection="connecting" storageFallback={false} i18n={en} />);
    expect(container.textContent).toBe('');
  });

  it('mentions a storage fallback discreetly, in the visitor’s language', () => {
    render(<Banner connection="connected" storageFallback i18n={createI18n('zh-TW')} />);
    expect(screen.getByText('關閉頁面後，此瀏覽器不會保留這些訊息。')).toBeTruthy();
  });
});
