/**
 * The script-tag bundle (`threadline.js`), a classic script of about 0.4 KiB: installs the command
 * function (see bootstrap.ts) and imports the widget's main ES module from beside itself. The
 * build folds everything a page needs at load into that one module, so there is no waterfall.
 */
import { installBootstrap, type MainModule, type Stub } from './bootstrap.js';

const script = document.currentScript as HTMLScriptElement | null;
const base = script?.src || document.querySelector<HTMLScriptElement>('script[src*="threadline.js"]')?.src || location.href;

installBootstrap(
  window as unknown as { Threadline?: Stub },
  () => import(/* @vite-ignore */ new URL('threadline-main.js', base).href) as Promise<MainModule>,
);
