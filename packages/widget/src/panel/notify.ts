/**
 * The email ask, the availability line, the first screen's team and a thread's handoff, a chunk of its own (`tl-notify-*.js`): fetched after a
 * conversation is drawn, so opening the panel parses none of it (see notify-slot.tsx).
 */
export { AvailabilityNote, NotifyPrompt, TeamNote } from './NotifyPrompt.js';
export { Handoff, assignedText } from './Handoff.js';
