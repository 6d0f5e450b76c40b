import { createClient } from '@threadline/core';
import { createEmitter } from './emitter.js';
import { checkOptions, type WidgetOptions } from './options.js';
import { createWidget, type Widget, type WidgetError, type WidgetEventMap } from './widget.js';

export type { WidgetOptions } from './options.js';
export type { Widget, WidgetError, WidgetErrorCode, WidgetEventMap, WidgetEventName, IdentifyInput, UpdateInput } from './widget.js';
export type { CommandName } from './commands.js';
export type { Locale } from './i18n/locale.js';

/**
 * Mounts the widget from npm: `mount({ appId, serverUrl })`. Same options and behaviour as the
 * script tag's `boot`; the panel is a lazy chunk your bundler splits off. Throws a TypeError only
 * when `appId` or `serverUrl` is missing or malformed; other bad options are warned about and
 * ignored.
 */
export function mount(options: WidgetOptions): Widget {
  const { options: checked, problems } = checkOptions(options);
  const report = (error: WidgetError) => {
    console.warn(`[Threadline] ${error.code}: ${error.message}`);
    if (error.code !== 'handler_failed') events.emit('error', error);
  };
  const events = createEmitter<WidgetEventMap>((event, err) =>
    report({ code: 'handler_failed', message: `a handler of "${String(event)}" threw: ${String(err)}` }),
  );
  if (!checked) throw new TypeError(`[Threadline] ${problems.map((p) => `${p.option}: ${p.message}`).join('; ')}`);
  problems.forEach((p) => report({ code: 'bad_options', message: `${p.option}: ${p.message}` }));
  return createWidget(checked, { createClient, loadPanel: () => import('./panel/entry.js'), events, report });
}
