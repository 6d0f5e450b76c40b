/**
 * The proactive toast, as a chunk of its own: most page views never show a prompt, so its view
 * and styles load only when the first one is to be shown (launcher-root.ts).
 */
import controlsCss from '../styles/controls.css?inline';
import toastOnlyCss from '../styles/toast.css?inline';
import { TOAST_STRINGS } from './toast-strings.js';
import { createToastView } from './toast-view.js';

const toastCss = controlsCss + toastOnlyCss;

export { createToastView, toastCss, TOAST_STRINGS };
export type ToastModule = typeof import('./toast.js');
