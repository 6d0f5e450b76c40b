// ─── Threadline's slot in the page-load benchmark ───────────────────────────────────────────
// A real boot: the loader stub plus a queued `boot` call as the page's one script tag, the
// initial chunk loaded by the stub, the launcher drawn, the core started and its socket connected
// to a reference server started here on 127.0.0.1 (embedded SQLite, temporary data directory).
// Then, in the same run, the launcher is clicked and the panel (its chunk loaded on first open)
// is measured until it is visible. Runs only when packages/widget/dist and
// packages/server/dist exist; otherwise the table says what is missing.
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { widgetParts } from './ours.mjs';
import { serverBuilt, startServer } from './lib/server-proc.mjs';

const LAUNCHER = `document.querySelector('[data-threadline]')?.shadowRoot?.querySelector('button.launcher')`;
// The panel drawn: its conversation's scroller (the greeting and the message log), the last part
// drawn (the panel draws its shell, then its body, then the list, each in a task of its own), not
// just its frame.
const PANEL = `document.querySelector('[data-threadline]')?.shadowRoot?.querySelector('.panel .scroll')`;
const visible = (expr) =>
  `(() => { const el = ${expr}; if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`;

export async function oursScenarios() {
  const parts = widgetParts();
  const missing = [];
  if (!parts || !parts.stub.length || !parts.initial.length) missing.push('packages/widget/dist');
  if (!serverBuilt()) missing.push('packages/server/dist');
  const base = {
    id: 'threadline',
    label: 'Threadline: boot (stub + initial chunk, launcher, core, socket to local server)',
    ready: { what: 'launcher visible' },
  };
  if (missing.length) {
    return { scenarios: [{ ...base, skip: `not built (${missing.join(', ')})` }], notes: [] };
  }

  let server = null;
  const distRoot = parts.dist;
  const stubFile = parts.stub[0];
  const stubSrc = readFileSync(stubFile, 'utf8');
  const scenario = {
    ...base,
    // The one script tag: the stub, then the queued boot call, as the getting-started snippet does.
    get script() {
      const serverUrl = server?.url ?? '';
      const bundleUrl = `/p/threadline/${relative(distRoot, parts.initial[0]).split('\\').join('/')}`;
      return (
        `window.ThreadlineSettings = { src: location.origin + ${JSON.stringify(bundleUrl)} };\n` +
        stubSrc +
        `\n;window.Threadline('boot', { appId: 'demo', serverUrl: ${JSON.stringify(serverUrl)} });\n` +
        `window.__benchEvaluated = performance.now();\n`
      );
    },
    routes: { '/p/threadline/': distRoot },
    ready: { what: 'launcher visible', cond: visible(LAUNCHER) },
    // Socket connected: the first socket.io CONNECT answer ("40…") on a websocket to the server,
    // taken from the DevTools protocol and put on the page's clock.
    beforeGoto(pg) {
      const state = { connectedAt: null };
      pg.on('websocket', (ws) => {
        if (!ws.url().includes('/socket.io/')) return;
        ws.on('framereceived', ({ payload }) => {
          if (state.connectedAt === null && String(payload).startsWith('40')) state.connectedAt = Date.now();
        });
      });
      return state;
    },
    async afterReady(pg, { rate, state }) {
      const deadline = Date.now() + 15_000 * rate;
      while (state.connectedAt === null && Date.now() < deadline) await pg.waitForTimeout(50);
      if (state.connectedAt === null) return { connectedMs: null };
      const origin = await pg.evaluate(() => performance.timeOrigin);
      return { connectedMs: state.connectedAt - origin };
    },
    interactLabel: 'Threadline: panel opened (click → panel drawn, chunk loaded on first open)',
    interactWhat: 'panel drawn (its conversation visible) after click',
    // The launcher's centre is found before the measured interval, with a plain evaluate, and the
    // click is mouse input (CDP Input events): a locator evaluates Playwright's injected script in
    // the page on first use and leaves listeners for every pointer event, and its click runs
    // actionability checks and hit-target listeners in the page's own input task, all of it
    // counted by the long-task observer as the widget's.
    async prepareInteract(pg) {
      const box = await pg.evaluate(`(() => { const r = ${LAUNCHER}?.getBoundingClientRect(); return r && { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
      if (!box) throw new Error('launcher not found');
      return box;
    },
    async interact(pg, { rate, prepared }) {
      const t0 = await pg.evaluate(() => performance.now());
      await pg.mouse.click(prepared.x, prepared.y);
      const t1 = await (await pg.waitForFunction(`(${visible(PANEL)}) ? performance.now() : false`, null, { polling: 'raf', timeout: 15_000 * rate })).jsonValue();
      return { openMs: t1 - t0 };
    },
  };

  return {
    scenarios: [scenario],
    notes: [
      `Threadline: stub \`${relative(dirname(distRoot), stubFile)}\` inlined in the script with a queued \`boot\`; the reference server runs on 127.0.0.1 with embedded SQLite. "Socket connected at": ms from navigation start until the server's socket.io CONNECT answer arrived on the websocket (the widget starts its core when the browser is idle).`,
      'The panel row is measured in the same runs, from the click until the panel is visible; its "Ready at" is that interval.',
    ],
    async start({ origin, log }) {
      server = await startServer({ origins: [origin], log });
    },
    async stop() {
      await server?.stop();
      server?.cleanup();
    },
  };
}
