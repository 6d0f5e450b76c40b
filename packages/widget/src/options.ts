import type { ClientOptions } from '@threadline/core';

/**
 * Options of `boot` (script tag) and `mount` (npm). Everything the core accepts is accepted here
 * and passed through; the rest shapes the widget.
 */
export interface WidgetOptions extends ClientOptions {
  /**
   * Language of the widget: `en`, `zh-CN` or `zh-TW`. Other tags fall back to the browser's
   * preferences, then English.
   * @default the browser's language
   * @example 'zh-TW'
   */
  locale?: string;
  /**
   * Brand colour of the launcher, the visitor's bubbles and buttons (any CSS colour). Text on it
   * is white, so pick a colour with at least 4.5:1 contrast against white.
   * @default '#2456d6'
   * @example '#0a7d45'
   */
  brandColor?: string;
  /**
   * Light or dark colours. `'auto'` follows the visitor's system setting (`prefers-color-scheme`),
   * also when it changes while the page is open. Browsers without the CSS `light-dark()` function
   * (before Chrome 123, Firefox 120, Safari 17.5) always show the light colours.
   * @default 'auto'
   * @example 'dark'
   */
  theme?: 'auto' | 'light' | 'dark';
  /**
   * While the tab is in the background, the brand's unread messages always show as a count in the
   * page title (`(1) …`). With `true`, each also shows as a browser notification: the widget asks
   * the shopper's permission when they first open it (a click), and a click on a notification
   * brings the tab forward with that conversation open.
   * @default false
   */
  notifications?: boolean;
  /**
   * Which bottom corner the launcher sits in (mirrored automatically for right-to-left pages).
   * @default 'right'
   */
  position?: 'left' | 'right';
  /**
   * Distance of the launcher from the viewport edges, in CSS pixels.
   * @default { x: 20, y: 20 }
   * @example { x: 24, y: 96 }
   */
  offset?: { x?: number; y?: number };
  /**
   * z-index of the widget's host element. The widget lives in its own stacking context and
   * never uses `!important`; raise this only if your page covers it.
   * @default 1000
   */
  zIndex?: number;
  /**
   * Greeting shown at the top of the inbox and of a new conversation.
   * @default a localised "Hi! How can we help?"
   */
  greeting?: string;
  /**
   * Brand name shown in the panel header and on messages without an agent name.
   * @default 'Messages' (localised)
   * @example 'Acme Support'
   */
  brandName?: string;
  /**
   * http(s) URL of the brand's avatar, shown in the header and beside brand messages.
   * @example 'https://shop.example.com/logo-64.png'
   */
  brandAvatarUrl?: string;
  /**
   * Element to mount into (npm only). The widget adds its own host element with the attribute
   * `data-threadline` inside it.
   * @default document.body
   */
  container?: HTMLElement;
}

export interface ResolvedTheme {
  brandColor: string;
  position: 'left' | 'right';
  offsetX: number;
  offsetY: number;
  zIndex: number;
  /** A forced colour scheme, or undefined to follow the system's. */
  scheme: 'light' | 'dark' | undefined;
}

/** A problem found in the options: reported as a console warning and an `error` event. */
export interface OptionProblem {
  option: string;
  message: string;
}

const DEFAULT_BRAND = '#2456d6';

/**
 * Checks what the widget reads; returns the problems, never throws. `appId` and `serverUrl`
 * are required: without them there is nothing to connect to.
 */
export function checkOptions(raw: unknown): { options: WidgetOptions | null; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  if (!raw || typeof raw !== 'object') {
    return { options: null, problems: [{ option: 'options', message: 'boot needs an options object with appId and serverUrl' }] };
  }
  const o = raw as Record<string, unknown>;
  if (typeof o.appId !== 'string' || !o.appId) problems.push({ option: 'appId', message: 'appId must be a non-empty string' });
  if (typeof o.serverUrl !== 'string' || !isHttpUrl(o.serverUrl)) {
    problems.push({ option: 'serverUrl', message: 'serverUrl must be an http(s) URL' });
  }
  if (problems.length) return { options: null, problems };

  const options = { ...o } as unknown as WidgetOptions;
  const drop = (key: keyof WidgetOptions, message: string) => {
    problems.push({ option: key, message });
    delete (options as unknown as Record<string, unknown>)[key];
  };
  if (o.position !== undefined && o.position !== 'left' && o.position !== 'right') drop('position', "position must be 'left' or 'right'");
  if (o.theme !== undefined && !['auto', 'light', 'dark'].includes(o.theme as string)) drop('theme', "theme must be 'auto', 'light' or 'dark'");
  if (o.brandColor !== undefined && !isColor(o.brandColor)) drop('brandColor', 'brandColor must be a CSS colour');
  if (o.zIndex !== undefined && !Number.isInteger(o.zIndex)) drop('zIndex', 'zIndex must be an integer');
  if (o.offset !== undefined && !isOffset(o.offset)) drop('offset', 'offset must be { x?: number, y?: number }');
  if (o.brandAvatarUrl !== undefined && !(typeof o.brandAvatarUrl === 'string' && isHttpUrl(o.brandAvatarUrl))) {
    drop('brandAvatarUrl', 'brandAvatarUrl must be an http(s) URL');
  }
  if (o.notifications !== undefined && typeof o.notifications !== 'boolean') drop('notifications', 'notifications must be true or false');
  for (const key of ['greeting', 'brandName', 'locale'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') drop(key, `${key} must be a string`);
  }
  return { options, problems };
}

export function resolveTheme(o: WidgetOptions): ResolvedTheme {
  return {
    brandColor: o.brandColor ?? DEFAULT_BRAND,
    position: o.position ?? 'right',
    offsetX: o.offset?.x ?? 20,
    offsetY: o.offset?.y ?? 20,
    zIndex: o.zIndex ?? 1000,
    scheme: o.theme === 'auto' ? undefined : o.theme,
  };
}

/**
 * The theme as a stylesheet of custom properties on the host. Values were checked above, and a
 * colour is additionally refused if it could close the rule (no `;{}` can reach the sheet).
 * `--tl-scheme` forces light or dark: controls.css (loaded with the toast or the panel) turns it
 * into `color-scheme`, where the browser has `light-dark()`; unset, the system's scheme applies.
 */
export function themeCss(t: ResolvedTheme): string {
  const colour = /[;{}<>]/.test(t.brandColor) ? DEFAULT_BRAND : t.brandColor;
  return `:host{--tl-brand:${colour};--tl-offset-x:${t.offsetX}px;--tl-offset-y:${t.offsetY}px;--tl-z:${t.zIndex}${t.scheme ? `;--tl-scheme:${t.scheme}` : ''}}`;
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    // Unparseable: reported by the caller as a bad option.
    return false;
  }
}

function isColor(v: unknown): v is string {
  if (typeof v !== 'string' || /[;{}<>]/.test(v)) return false;
  // CSS.supports is the browser's own parser; without it (old engines, tests) accept simple forms.
  if (typeof CSS !== 'undefined' && typeof CSS.supports === 'function') return CSS.supports('color', v);
  return /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/]+\)|[a-z]+)$/i.test(v.trim());
}

function isOffset(v: unknown): boolean {
  if (!v || typeof v !== 'object') return false;
  const { x, y } = v as { x?: unknown; y?: unknown };
  return (x === undefined || Number.isFinite(x)) && (y === undefined || Number.isFinite(y));
}
