import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { Attachment } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import { ImageAttachment } from './Attachments.js';

const photo: Attachment = { id: 'a1', name: '<b>dash</b>.jpg', mime: 'image/jpeg', size: 120_000, url: '/v1/files/a1', width: 640, height: 480 };

async function openThumbnail() {
  render(<ImageAttachment attachment={photo} resolve={async () => 'blob:photo'} i18n={en} />);
  const thumb = await screen.findByRole('button', { name: 'Image: <b>dash</b>.jpg' });
  fireEvent.click(thumb);
  return { thumb, dialog: await screen.findByRole('dialog', { name: 'Image: <b>dash</b>.jpg' }) };
}

describe('image lightbox', () => {
  it('opens from the thumbnail as a labelled dialog, focus on its close button, the name as text', async () => {
    const { thumb, dialog } = await openThumbnail();
    expect(thumb.getAttribute('aria-haspopup')).toBe('dialog');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close image' }));
    expect(dialog.querySelector('.lb-name')!.textContent).toBe('<b>dash</b>.jpg');
    expect(dialog.querySelector('b')).toBeNull();
    expect(dialog.querySelector('img')!.getAttribute('src')).toBe('blob:photo');
  });

  it('Escape closes it and focus returns to the thumbnail', async () => {
    const { thumb, dialog } = await openThumbnail();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(thumb);
  });

  it('Escape is the lightbox’s alone: the panel around it, which closes on Escape, does not hear it', async () => {
    const heard = vi.fn();
    document.body.addEventListener('keydown', heard);
    const { dialog } = await openThumbnail();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    document.body.removeEventListener('keydown', heard);
    expect(heard).not.toHaveBeenCalled();
  });

  it('the close button and a click beside the image close it; a click on the image does not', async () => {
    const { thumb, dialog } = await openThumbnail();
    fireEvent.click(dialog.querySelector('img')!);
    expect(screen.getByRole('dialog')).toBeTruthy();
    fireEvent.click(dialog.querySelector('.lb-stage')!);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    fireEvent.click(thumb);
    fireEvent.click(await screen.findByRole('button', { name: 'Close image' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(thumb);
  });

  it('downloads the image under its own name', async () => {
    await openThumbnail();
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    fireEvent.click(screen.getByRole('button', { name: 'Download <b>dash</b>.jpg' }));
    expect(clicked.map((a) => [a.getAttribute('href'), a.download])).toEqual([['blob:photo', '<b>dash</b>.jpg']]);
    vi.restoreAllMocks();
  });

  it('has no axe violations while open', async () => {
    const { dialog } = await openThumbnail();
    expect(await axeViolations(dialog.parentElement!)).toEqual([]);
  });
});
