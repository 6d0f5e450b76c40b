import { CHAT_PATH, CLOSE_PATH } from './icon-paths.js';

/** Decorative icons (aria-hidden): the button around each carries the accessible name. */
export const svg = (d: string, cls?: string) => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" class={cls}>
    <path d={d} fill="currentColor" />
  </svg>
);

export const ChatIcon = () => svg(CHAT_PATH);
export const CloseIcon = () => svg(CLOSE_PATH);
export const BackIcon = () => svg('M15.7 4.3a1 1 0 0 1 0 1.4L9.4 12l6.3 6.3a1 1 0 1 1-1.4 1.4l-7-7a1 1 0 0 1 0-1.4l7-7a1 1 0 0 1 1.4 0z', 'flip');
export const AttachIcon = () =>
  svg('M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z');
export const CameraIcon = () =>
  svg('M9 3 7.2 5H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z');
export const MicIcon = () =>
  svg('M12 2a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3zm-7 9a1 1 0 0 1 2 0 5 5 0 0 0 10 0 1 1 0 1 1 2 0 7 7 0 0 1-6 6.9V21h3a1 1 0 1 1 0 2H8a1 1 0 1 1 0-2h3v-3.1A7 7 0 0 1 5 11z');
export const SendIcon = () => svg('M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z', 'flip');
export const CheckIcon = () => svg('M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z');
export const FileIcon = () => svg('M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z');
