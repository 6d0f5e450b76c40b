/**
 * The voice player and the image lightbox: a chunk of their own, loaded when a thread first
 * shows an image or a voice clip (most threads have neither), not with the panel.
 */
export { Lightbox } from './Lightbox.js';
export { VoicePlayer } from './VoicePlayer.js';
