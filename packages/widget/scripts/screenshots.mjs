#!/usr/bin/env node
// Renders the widget in Debian's Chromium and writes PNGs to packages/widget/screenshots/ (or, with
// --gallery, to docs/img/gallery/ with an index): the proactive toast, the first screen (the
// inbox under the brand's logo, team and reply time), a new conversation from it, a thread with an
// image, voice clips from both sides and a failed message, a resolved thread with a bot's answer and
// the shopper's rating, that thread's image open in the lightbox, and a recorded voice clip in the
// composer's tray — each at 1280×800 and 390×844, in a light and a dark system scheme, in English,
// Simplified Chinese and Arabic (right to left). The page is served with a strict CSP (no
// 'unsafe-inline' anywhere): any CSP violation, console error or axe-core violation (colour
// contrast included, which jsdom cannot check) fails the run, and so does a phone toast over 150 px
// or over the page's checkout bar.
//
//   pnpm --filter @threadline/widget screenshots [-- name-filter…]   (CHROMIUM_PATH=… to override)
//   pnpm --filter @threadline/widget gallery                         (docs/img/gallery/, every shot)
//
// Needs Debian's chromium and, for the Chinese shots, a CJK font (fonts-noto-cjk or
// fonts-wqy-microhei); without one the Chinese text renders as empty boxes.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../../../examples/e2e/support/chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --gallery: every shot into docs/img/gallery/ with an index (README.md), phones at 1× to keep the
// repository light; without it, into packages/widget/screenshots/ (not committed), phones at 2×.
const gallery = process.argv.includes('--gallery');
const out = gallery ? join(root, '../../docs/img/gallery') : join(root, 'screenshots');
const site = join(root, 'screenshots', '.harness');
rmSync(site, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
mkdirSync(site, { recursive: true });

await build({
  configFile: false,
  root: join(root, 'scripts/harness'),
  base: './',
  logLevel: 'warn',
  resolve: { conditions: ['source', 'module', 'browser', 'production'] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: site, emptyOutDir: true, target: 'es2022', cssTarget: ['chrome100'], modulePreload: false },
});

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  if (path === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file = join(site, path === '/' ? 'index.html' : path);
  if (!file.startsWith(site) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// Chromium's fake microphone, for the recorded clip in the composer's tray.
const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const viewports = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: gallery ? 1 : 2 },
};
// Every scene at both sizes, in both schemes, in English, Simplified Chinese and Arabic (right to
// left), plus the inbox in Traditional Chinese and Hebrew. Arguments filter by name: `-- thread dark`
// renders only the shots whose name holds every argument; `a,b` in one argument means either.
const SCENES = ['toast', 'inbox', 'compose', 'thread', 'rating', 'lightbox', 'tray', 'rich'];
const all = [
  ...SCENES.flatMap((scene) =>
    ['desktop', 'phone'].flatMap((device) =>
      ['light', 'dark'].flatMap((scheme) => ['en', 'zh-CN', 'ar'].map((locale) => ({ scene, device, scheme, locale }))),
    ),
  ),
  { scene: 'inbox', device: 'desktop', scheme: 'light', locale: 'zh-TW' },
  { scene: 'inbox', device: 'phone', scheme: 'dark', locale: 'he' },
];
const shotName = ({ scene, device, scheme, locale }) => `${scene}-${device}-${scheme}${locale === 'en' ? '' : `-${locale}`}`;
const filters = process.argv.slice(2).filter((a) => a !== '--' && a !== '--gallery');
const shots = all.filter((shot) => filters.every((f) => f.split(',').some((alt) => shotName(shot).includes(alt))));

const problems = [];
try {
  for (const shot of shots) {
    const { scene, device, scheme, locale } = shot;
    const context = await browser.newContext({
      ...viewports[device],
      locale,
      colorScheme: scheme,
      reducedMotion: 'reduce',
      permissions: scene === 'tray' ? ['microphone'] : [],
    });
    const page = await context.newPage();
    const name = shotName(shot);
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('console', (m) => m.type() === 'error' && problems.push(`${name}: console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
    await page.goto(`${origin}/?scene=${scene}&locale=${locale}`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    if (scene === 'rating') await page.locator('[data-threadline]').locator('.rated').waitFor();
    if (scene === 'rich') {
      // The rich chunk's blocks, the cards' pictures decoded; then the form asked to send empty,
      // so its errors are in the shot too.
      await page.waitForFunction(() => {
        const s = document.querySelector('[data-threadline]').shadowRoot;
        const imgs = [...s.querySelectorAll('.rich-image img')];
        return s.querySelector('.rich-form') && imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      });
      await page.locator('[data-threadline] .rich-submit').click();
      await page.locator('[data-threadline] .rich-error').first().waitFor();
    }
    if (scene !== 'toast' && scene !== 'inbox' && scene !== 'compose' && scene !== 'rating' && scene !== 'rich') {
      await page.waitForFunction(() => {
        const s = document.querySelector('[data-threadline]').shadowRoot;
        const img = s.querySelector('img.image');
        const audio = [...s.querySelectorAll('audio')];
        return img?.complete && img.naturalWidth > 0 && audio.length === 2 && audio.every((a) => a.readyState >= 1);
      });
    }
    const shadow = page.locator('[data-threadline]');
    if (scene === 'lightbox') {
      await shadow.locator('button.image-btn').click();
      await shadow.locator('dialog.lightbox img').evaluate((img) => img.decode());
    }
    if (scene === 'tray') {
      await shadow.locator('.composer button.icon-btn').last().click();
      await page.waitForTimeout(1200);
      await shadow.locator('.composer .recording ~ button.send, .composer button.send').last().click();
      await shadow.locator('.chip-text').waitFor();
    }
    await page.waitForTimeout(300);
    // The widget's styles must really apply under this CSP (constructable stylesheets).
    const styled = await page.evaluate(() => {
      const b = document.querySelector('[data-threadline]').shadowRoot.querySelector('button.launcher');
      return b ? getComputedStyle(b).borderRadius : 'missing';
    });
    if (styled !== '50%') problems.push(`${name}: launcher not styled (border-radius ${styled})`);
    if (scene === 'toast') {
      // The toast stays compact and clear of the page's checkout bar (data-threadline-avoid).
      const box = await page.evaluate(() => {
        const toast = document.querySelector('[data-threadline]').shadowRoot.querySelector('.toast').getBoundingClientRect();
        const bar = document.querySelector('[data-threadline-avoid]').getBoundingClientRect();
        return { height: Math.round(toast.height), bottom: toast.bottom, barTop: bar.height ? bar.top : Infinity };
      });
      console.log(`  ${name}: toast ${box.height} px tall`);
      if (device === 'phone' && box.height > 150) problems.push(`${name}: the toast is ${box.height} px tall (at most 150 on a phone)`);
      if (box.bottom > box.barTop) problems.push(`${name}: the toast covers the checkout bar`);
    }
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run({ include: [['[data-threadline]']] }, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    });
    violations.forEach((v) => problems.push(`${name}: axe: ${v}`));
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`wrote ${gallery ? 'docs/img/gallery' : 'screenshots'}/${name}.png${violations.length ? ` (${violations.length} axe violations)` : ''}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
  rmSync(site, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('no CSP violations, console errors or axe violations');
if (gallery && !filters.length) {
  // The index: one table per scene, a row per language and scheme, desktop and phone side by side.
  const lines = [
    '# Widget screenshot gallery',
    '',
    'Every state of the widget at 1280×800 and 390×844, light and dark, in English, Simplified Chinese and',
    'Arabic (plus the inbox in Traditional Chinese and Hebrew), from fixture data under a strict CSP,',
    'each checked by axe-core (colour contrast included) with no violation. Regenerate with',
    '`pnpm --filter @threadline/widget gallery` (needs Debian’s chromium and a CJK font).',
    '',
  ];
  for (const scene of SCENES) {
    lines.push(`## ${scene}`, '', '| | 1280×800 | 390×844 |', '| --- | --- | --- |');
    for (const locale of ['en', 'zh-CN', 'ar'])
      for (const scheme of ['light', 'dark']) {
        const img = (device) => `![${scene}, ${device}, ${scheme}, ${locale}](${shotName({ scene, device, scheme, locale })}.png)`;
        lines.push(`| ${locale}, ${scheme} | ${img('desktop')} | ${img('phone')} |`);
      }
    lines.push('');
  }
  lines.push('## inbox, more languages', '', `![inbox, desktop, light, zh-TW](inbox-desktop-light-zh-TW.png) ![inbox, phone, dark, he](inbox-phone-dark-he.png)`, '');
  writeFileSync(join(out, 'README.md'), lines.join('\n'));
  console.log(`wrote ${join(out, 'README.md')}`);
}
