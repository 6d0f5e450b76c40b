import { useEffect, useRef } from 'preact/hooks';
import type { I18n } from '../i18n/i18n.js';
import { CloseIcon } from './icons.js';
import { DownloadIcon } from './media-icons.js';
import { useMediaStyles } from './media-styles.js';
import { saveFile } from './save-file.js';

export interface LightboxProps {
  /** Object URL of the image, already loaded for its thumbnail. */
  url: string;
  /** The file's name: shown as text, and the name a download is saved under. */
  name: string;
  i18n: I18n;
  /** Called on the close button, Escape, a click beside the image, or the platform's back gesture. */
  onClose: () => void;
}

/**
 * An image over the whole viewport, in a modal `<dialog>`: the browser puts it in the top layer
 * (above the host page, whatever its stacking) and makes everything else inert while it is open.
 * The image keeps the browser's pinch-zoom (`touch-action: pinch-zoom`, no gesture handlers).
 * The caller gives focus back to the thumbnail once this is gone.
 */
export function Lightbox({ url, name, i18n, onClose }: LightboxProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useMediaStyles(dialog);
  useEffect(() => {
    const d = dialog.current!;
    // jsdom has no showModal; there the dialog is only open (not modal).
    if (typeof d.showModal === 'function') d.showModal();
    else d.setAttribute('open', '');
    close.current!.focus();
    return () => {
      if (d.open && typeof d.close === 'function') d.close();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    // Escape closes the image only: the panel, which closes on Escape too, must not hear it.
    e.preventDefault();
    e.stopPropagation();
    onClose();
  };
  return (
    <dialog
      ref={dialog}
      class="lightbox"
      aria-label={i18n.t('image', { name })}
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <div class="lb-bar">
        <p class="lb-name" dir="auto">
          {name}
        </p>
        <button type="button" class="icon-btn" aria-label={i18n.t('download', { name })} onClick={() => saveFile(url, name, false)}>
          <DownloadIcon />
        </button>
        <button ref={close} type="button" class="icon-btn" aria-label={i18n.t('closeImage')} onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <div class="lb-stage" onClick={(e) => e.target === e.currentTarget && onClose()}>
        <img class="lb-image" src={url} alt={i18n.t('image', { name })} />
      </div>
    </dialog>
  );
}
