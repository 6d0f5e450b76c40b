/**
 * The script-tag bundle (`threadline.js`), a classic script of about 1 KiB: installs the command
 * function (see bootstrap.ts) and imports the widget's ES modules from beside itself. The build
 * lists the modules the main one imports statically, so they are fetched in parallel rather than
 * one after the other.
 */
import { installBootstrap, type MainModule, type Stub } from './bootstrap.js';

/** File names of the main module's static imports, filled in by scripts/build.mjs. */
declare const __THREADLINE_PRELOAD__: string[];

const script = document.currentScript as HTMLScriptElement | null;
const base = script?.src || document.querySelector<HTMLScriptElement>('script[src*="threadline.js"]')?.src || location.href;
const url = (file: string) => new URL(file, base).href;

installBootstrap(window as unknown as { Threadline?: Stub }, () => {
  const preload = typeof __THREADLINE_PRELOAD__ === 'undefined' ? [] : __THREADLINE_PRELOAD__;
  // Warm the main module's dependencies; failures surface through the main import below.
  for (const file of preload) import(/* @vite-ignore */ url(file)).catch(() => undefined);
  return import(/* @vite-ignore */ url('threadline-main.js')) as Promise<MainModule>;
});
