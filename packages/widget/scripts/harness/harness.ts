/**
 * The screenshot harness page: a shop-like page with the real widget (launcher, toast, panel)
 * driven by the fixture client. `?scene=toast|inbox|compose|thread|rating|lightbox|tray|rich&locale=en|zh-CN|zh-TW|ar|he`
 * (lightbox and tray open the thread; the screenshot script opens the image, records a clip).
 */
import { createEmitter } from '../../src/emitter.js';
import { createWidget, type WidgetEventMap } from '../../src/widget.js';
import { createFixtureClient } from './fixture-client.js';

const params = new URLSearchParams(location.search);
const scene = params.get('scene') ?? 'toast';
const locale = params.get('locale') ?? 'en';
// The widget follows the system's scheme (the screenshot script emulates it) unless ?theme= forces one.
const theme = (params.get('theme') ?? 'auto') as 'auto' | 'light' | 'dark';

/** A photo-like picture of a dashboard warning light, drawn here so no binary sits in the repo. */
async function dashboardPhoto(): Promise<Blob> {
  const c = document.createElement('canvas');
  c.width = 480;
  c.height = 320;
  const g = c.getContext('2d')!;
  const bg = g.createRadialGradient(240, 170, 20, 240, 170, 300);
  bg.addColorStop(0, '#2b3440');
  bg.addColorStop(1, '#0c1014');
  g.fillStyle = bg;
  g.fillRect(0, 0, 480, 320);
  g.strokeStyle = '#55606e';
  g.lineWidth = 6;
  g.beginPath();
  g.arc(140, 170, 95, Math.PI * 0.8, Math.PI * 2.2);
  g.stroke();
  g.beginPath();
  g.arc(340, 170, 95, Math.PI * 0.8, Math.PI * 2.2);
  g.stroke();
  g.fillStyle = '#ffb020';
  g.shadowColor = '#ffb020';
  g.shadowBlur = 24;
  g.fillRect(212, 230, 56, 34);
  g.fillRect(226, 218, 28, 12);
  g.fillRect(200, 240, 12, 14);
  g.fillRect(268, 236, 14, 22);
  g.shadowBlur = 0;
  g.fillStyle = '#c8d0da';
  g.font = '600 28px system-ui, sans-serif';
  g.fillText('3200', 108, 182);
  g.fillText('88', 320, 182);
  return new Promise((resolve) => c.toBlob((b) => resolve(b!), 'image/jpeg', 0.85));
}

/** Seven seconds of a low hum as a WAV file, so the audio element has a real duration. */
function engineClip(): Blob {
  const rate = 8000;
  const samples = rate * 7;
  const buf = new DataView(new ArrayBuffer(44 + samples * 2));
  const text = (o: number, s: string) => [...s].forEach((ch, i) => buf.setUint8(o + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  buf.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVEfmt ');
  buf.setUint32(16, 16, true);
  buf.setUint16(20, 1, true);
  buf.setUint16(22, 1, true);
  buf.setUint32(24, rate, true);
  buf.setUint32(28, rate * 2, true);
  buf.setUint16(32, 2, true);
  buf.setUint16(34, 16, true);
  text(36, 'data');
  buf.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) buf.setInt16(44 + i * 2, Math.sin((i / rate) * 2 * Math.PI * 90) * 3000, true);
  return new Blob([buf], { type: 'audio/wav' });
}

// An Arabic or Hebrew shot shows the widget on a right-to-left page, as an Arabic or Hebrew shop is.
if (locale === 'ar' || locale === 'he') {
  document.documentElement.dir = 'rtl';
  document.documentElement.lang = locale;
}

const media = { image: await dashboardPhoto(), voice: engineClip() };
const client = createFixtureClient(locale, media, scene);
const events = createEmitter<WidgetEventMap>(() => {});
const widget = createWidget(
  { appId: 'screenshots', serverUrl: 'http://localhost:3000', locale, theme, brandName: 'Northwind Outfitters', brandAvatarUrl: `${location.origin}/logo.svg` },
  {
    createClient: () => client,
    loadPanel: () => import('../../src/panel/entry.js'),
    events,
    report: (e) => console.warn(e.code, e.message),
    schedule: (fn) => (fn(), () => {}),
  },
);
if (scene === 'inbox') widget.open();
if (scene === 'compose') {
  // A new conversation from the first screen: what a shopper with no conversation sees first.
  widget.open();
  const start = () => document.querySelector('[data-threadline]')?.shadowRoot?.querySelector<HTMLElement>('.footer button');
  for (let i = 0; i < 200 && !start(); i++) await new Promise((r) => setTimeout(r, 20));
  start()?.click();
}
if (scene === 'thread' || scene === 'lightbox' || scene === 'tray' || scene === 'rating' || scene === 'rich') {
  widget.open();
  // The thread is opened the way a visitor does it: from the inbox (the widget mounts, and the
  // panel draws, in slices: wait for the row).
  // rating: the third thread (resolved, rated, with a bot's answer); the others: the first.
  const row = () => document.querySelector('[data-threadline]')?.shadowRoot?.querySelectorAll<HTMLElement>('button.inbox-row')[scene === 'rating' ? 2 : 0];
  for (let i = 0; i < 200 && !row(); i++) await new Promise((r) => setTimeout(r, 20));
  row()?.click();
}
document.documentElement.dataset.ready = 'true';
