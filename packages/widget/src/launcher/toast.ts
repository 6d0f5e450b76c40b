/**
 * The proactive toast, as a chunk of its own: most page views never show a prompt, so its view
 * and styles load only when the first one is to be shown (launcher-root.ts).
 */
import toastCss from '../styles/toast.css?inline';
import { createToastView } from './toast-view.js';

export { createToastView, toastCss };
export type ToastModule = typeof import('./toast.js');
