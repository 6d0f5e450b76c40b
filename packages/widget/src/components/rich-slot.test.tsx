import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { message } from '../test/fake-client.js';
import { en } from '../test/i18n.js';
import { Conversation } from './Conversation.js';

describe('a message with blocks in a conversation', () => {
  it('shows its text at once, then its blocks from the rich chunk, answering through onSend', async () => {
    const onSend = vi.fn();
    const m = message({ text: 'Order A-1001 has shipped.', blocks: [{ type: 'buttons', buttons: [{ type: 'reply', label: 'Thanks!', value: 'thanks' }] }] });
    render(
      <Conversation
        messages={[m]}
        uploads={{}}
        i18n={en}
        brandName="Acme"
        hasOlder={false}
        loadingOlder={false}
        onLoadOlder={vi.fn()}
        onQuickReply={vi.fn()}
        onSend={onSend}
        resolveUrl={vi.fn(async () => null)}
        onRetry={vi.fn()}
        onDiscard={vi.fn()}
      />,
    );
    expect(screen.getByText('Order A-1001 has shipped.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Thanks!' })).toBeNull();
    fireEvent.click(await screen.findByRole('button', { name: 'Thanks!' }));
    expect(onSend).toHaveBeenCalledWith({ text: 'Thanks!', quickReply: 'thanks' });
    // The text stays above the blocks: it is what they are about.
    expect(screen.getByText('Order A-1001 has shipped.')).toBeTruthy();
  });
});
