import { ChatIcon, CloseIcon } from './icons.js';

export interface LauncherProps {
  open: boolean;
  unread: number;
  labels: { open: string; close: string; unread: string };
  onToggle: () => void;
  /** Hover or focus: a hint to start loading the panel before the click. */
  onIntent?: () => void;
  buttonRef?: { current: HTMLButtonElement | null };
}

/** The round button in the corner, with the unread badge. Its name is "Open messages". */
export function Launcher({ open, unread, labels, onToggle, onIntent, buttonRef }: LauncherProps) {
  const showBadge = !open && unread > 0;
  // The badge sits beside the button, not in it: visible text inside would have to be part of
  // the button's name (WCAG 2.5.3), and the name stays "Open messages"; the count is its description.
  return (
    <div class="launcher-wrap">
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={open ? labels.close : labels.open}
      aria-expanded={open}
      aria-describedby={showBadge ? 'tl-unread' : undefined}
      onClick={onToggle}
      onPointerEnter={onIntent}
      onFocus={onIntent}
    >
      {open ? <CloseIcon /> : <ChatIcon />}
    </button>
      {showBadge && (
        <span class="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
      {showBadge && (
        <span id="tl-unread" class="sr-only">
          {labels.unread}
        </span>
      )}
    </div>
  );
}
