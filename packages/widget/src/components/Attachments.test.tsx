import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { Attachment } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { message } from '../test/fake-client.js';
import { en } from '../test/i18n.js';
import { AttachmentView, PendingFileView } from './Attachments.js';
import { Conversation } from './Conversation.js';

const image: Attachment = { id: 'a1', name: 'warning-light.jpg', mime: 'image/jpeg', size: 120_000, url: '/v1/files/a1', width: 640, height: 480 };
const voice: Attachment = { id: 'a2', name: 'engine.webm', mime: 'audio/webm', size: 40_000, url: '/v1/files/a2', durationMs: 7_000 };
const pdf: Attachment = { id: 'a3', name: 'invoice.pdf', mime: 'application/pdf', size: 2_400_000, url: '/v1/files/a3' };

describe('attachments', () => {
  it('shows an image once its authorised URL resolves', async () => {
    const resolve = vi.fn(async () => 'blob:img');
    render(<AttachmentView attachment={image} resolve={resolve} i18n={en} />);
    expect(screen.getByRole('img', { name: 'Image: warning-light.jpg' }).textContent).toBe('Loading…');
    await waitFor(() => expect(screen.getByRole('img', { name: 'Image: warning-light.jpg' }).getAttribute('src')).toBe('blob:img'));
    expect(resolve).toHaveBeenCalledWith(image);
  });

  it('says an image could not be loaded instead of "Loading…" forever, and tries again on request', async () => {
    const resolve = vi.fn<(a: Attachment) => Promise<string | null>>().mockResolvedValueOnce(null).mockResolvedValueOnce('blob:img');
    render(<AttachmentView attachment={image} resolve={resolve} i18n={en} />);
    await waitFor(() => expect(screen.getByRole('group', { name: 'Image: warning-light.jpg' }).textContent).toContain('Could not load this file.'));
    fireEvent.click(screen.getByRole('button', { name: 'Retry: Image: warning-light.jpg' }));
    await waitFor(() => expect(screen.getByRole('img', { name: 'Image: warning-light.jpg' }).getAttribute('src')).toBe('blob:img'));
    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('shows a voice clip’s duration while it loads, then our player on the authorised URL', async () => {
    const { container } = render(<AttachmentView attachment={voice} resolve={async () => 'blob:voice'} i18n={en} />);
    expect(screen.getByText('0:07')).toBeTruthy();
    await waitFor(() => expect(container.querySelector('audio')?.getAttribute('src')).toBe('blob:voice'));
    expect(screen.getByRole('button', { name: 'Play voice clip' })).toBeTruthy();
    expect(container.querySelector('audio[controls]')).toBeNull();
  });

  it('opens an image in the page, not in a new tab', async () => {
    const { container } = render(<AttachmentView attachment={image} resolve={async () => 'blob:img'} i18n={en} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Image: warning-light.jpg' }));
    expect(screen.getByRole('dialog', { name: 'Image: warning-light.jpg' })).toBeTruthy();
    expect(container.querySelector('a[target]')).toBeNull();
  });

  it('offers other files as a download with name and size', () => {
    render(<AttachmentView attachment={pdf} resolve={async () => null} i18n={en} />);
    expect(screen.getByRole('button', { name: 'Download invoice.pdf' }).textContent).toContain('2.4 MB');
  });

  it('shows a photo queued before a reload from the stored copy, and only asks for photos', async () => {
    const photo = { index: 0, name: 'dash.png', mime: 'image/png', size: 300, attachment: null };
    const loadPreview = vi.fn(async () => 'blob:stored');
    render(<PendingFileView file={photo} loadPreview={loadPreview} progress={undefined} failed={false} i18n={en} onCancel={() => {}} />);
    await waitFor(() => expect(screen.getByRole('img', { name: 'Image: dash.png' }).getAttribute('src')).toBe('blob:stored'));
    expect(loadPreview).toHaveBeenCalledOnce();

    const zip = { index: 1, name: 'logs.zip', mime: 'application/zip', size: 300, attachment: null };
    const notAPhoto = vi.fn(async () => 'blob:x');
    render(<PendingFileView file={zip} loadPreview={notAPhoto} progress={undefined} failed={false} i18n={en} onCancel={() => {}} />);
    const inPage = vi.fn(async () => 'blob:x');
    render(<PendingFileView file={photo} previewUrl="blob:in-page" loadPreview={inPage} progress={undefined} failed={false} i18n={en} onCancel={() => {}} />);
    expect(notAPhoto).not.toHaveBeenCalled();
    expect(inPage).not.toHaveBeenCalled();
  });

  it('shows upload progress with cancel, and nothing to cancel once failed', () => {
    const onCancel = vi.fn();
    const file = { index: 0, name: 'clip.mov', mime: 'video/quicktime', size: 5_000_000, attachment: null };
    const progress = { clientId: 'c1', threadId: 't1', index: 0, loaded: 2_250_000, total: 5_000_000 };
    const { rerender } = render(<PendingFileView file={file} progress={progress} failed={false} i18n={en} onCancel={onCancel} />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('45');
    expect(screen.getByText('Uploading 45%')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(onCancel).toHaveBeenCalled();
    rerender(<PendingFileView file={file} progress={undefined} failed={false} i18n={en} onCancel={onCancel} />);
    expect(screen.getByText('Waiting to upload')).toBeTruthy();
    rerender(<PendingFileView file={file} progress={progress} failed i18n={en} onCancel={onCancel} />);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('in a thread: an uploading message can be cancelled and a failed one retried', () => {
    const onDiscard = vi.fn();
    const onRetry = vi.fn();
    const uploading = message({
      own: true,
      author: { kind: 'visitor' },
      clientId: 'c-up',
      text: '',
      state: 'sending',
      pendingFiles: [{ index: 0, name: 'photo.jpg', mime: 'image/jpeg', size: 1000, attachment: null }],
    });
    render(
      <Conversation
        messages={[uploading]}
        uploads={{ 'c-up': [{ clientId: 'c-up', threadId: 't1', index: 0, loaded: 500, total: 1000 }] }}
        i18n={en}
        brandName="Acme"
        hasOlder={false}
        loadingOlder={false}
        onLoadOlder={() => {}}
        onQuickReply={() => {}}
        resolveUrl={async () => null}
        onRetry={onRetry}
        onDiscard={onDiscard}
      />,
    );
    expect(screen.getByText('Uploading 50%')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(onDiscard).toHaveBeenCalledWith('c-up');
  });

  it('has no axe violations', async () => {
    const { container } = render(
      <div>
        <AttachmentView attachment={image} resolve={async () => 'blob:i'} i18n={en} />
        <AttachmentView attachment={voice} resolve={async () => 'blob:v'} i18n={en} />
        <AttachmentView attachment={pdf} resolve={async () => null} i18n={en} />
      </div>,
    );
    await waitFor(() => expect(container.querySelector('audio')).toBeTruthy());
    expect(await axeViolations(container)).toEqual([]);
  });
});
