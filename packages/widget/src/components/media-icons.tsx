import { svg } from './icons.js';

/** Icons of the voice player and the lightbox: kept out of icons.tsx so they load with them (media.ts). */
export const PlayIcon = () => svg('M8 5.1v13.8a1 1 0 0 0 1.5.9l10.6-6.9a1 1 0 0 0 0-1.7L9.5 4.2A1 1 0 0 0 8 5.1z');
export const PauseIcon = () => svg('M7 5h3v14H7zm7 0h3v14h-3z');
export const DownloadIcon = () => svg('M11 3h2v9.2l3.3-3.3 1.4 1.4-5.7 5.7-5.7-5.7 1.4-1.4 3.3 3.3V3zM5 19h14v2H5z');
