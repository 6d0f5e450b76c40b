/**
 * The email ask and the availability line, a chunk of its own (`tl-notify-*.js`): fetched after a
 * conversation is drawn, so opening the panel parses none of it (see notify-slot.tsx).
 */
export { AvailabilityNote, NotifyPrompt } from './NotifyPrompt.js';
