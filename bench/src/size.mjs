// pnpm bench:size — raw, gzip -9 and brotli q11 of Threadline's parts beside peers, same run.
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addSizes, kib, saveResult, sizesOfFiles, table } from './lib/common.mjs';
import { PEERS, peerFiles, peerVersion } from './peers.mjs';
import { buildCore, buildFloor, relToRoot, widgetParts } from './ours.mjs';

function ratio(peer, base) {
  if (!peer || !base || !base.gzip) return '—';
  const r = peer.gzip / base.gzip;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
}

export async function measureOurs() {
  const floor = await buildFloor();
  const floorSize = sizesOfFiles(floor.files);
  const core = await buildCore();
  const coreSize = core?.files ? sizesOfFiles(core.files) : null;
  const parts = widgetParts();
  const part = (files) => (files && files.length ? sizesOfFiles(files) : null);
  const stub = part(parts?.stub);
  const initial = part(parts?.initial);
  const panel = part(parts?.panel);
  const total = stub || initial || panel ? addSizes(stub, initial, panel) : null;
  return { floor, floorSize, core, coreSize, parts, stub, initial, panel, total };
}

export async function runSize({ quiet = false } = {}) {
  const ours = await measureOurs();
  const built = ours.parts && ours.initial;
  // What each kind of peer is compared with: stubs with our stub, SDKs with core, apps with the total.
  const base = {
    stub: built && ours.stub ? { size: ours.stub, label: 'our stub' } : { size: ours.floorSize, label: 'floor' },
    core: ours.coreSize && ours.core.complete ? { size: ours.coreSize, label: 'our core' } : { size: ours.floorSize, label: 'floor' },
    total: built ? { size: ours.total, label: 'our total' } : { size: ours.floorSize, label: 'floor' },
  };

  const notBuilt = ['not built', '—', '—', ''];
  const row = (label, s, how, files) =>
    s ? [label, kib(s.raw), kib(s.gzip), kib(s.brotli), how, files] : [label, ...notBuilt, files ?? ''];
  const names = (files) => (files?.length ? files.map((f) => basename(f)).join(', ') : '');

  const ourRows = [
    row('Loader stub', ours.stub, 'widget build', names(ours.parts?.stub)),
    row('Initial chunk(s)', ours.initial, 'widget build', names(ours.parts?.initial)),
    row('Panel chunk (first open)', ours.panel, 'widget build', names(ours.parts?.panel)),
    row('Total (stub + initial + panel)', ours.total, 'widget build', ''),
    ...(ours.parts?.onDemand ?? []).map((d) =>
      row(`On demand: ${d.sources.map((f) => basename(f).replace(/\.tsx?$/, '')).join(' + ')}`, sizesOfFiles(d.files), 'widget build', names(d.files)),
    ),
    ...(ours.coreSize
      ? [
          row(
            `@threadline/core alone, all parts${ours.core.complete ? '' : ' (scaffold: no transport yet)'}`,
            ours.coreSize,
            'esbuild ESM, split',
            'src/index.ts + protocol + deps, every chunk',
          ),
          row('@threadline/core alone, first load', sizesOfFiles(ours.core.initial), 'esbuild ESM, split', 'the entry and its static imports'),
        ]
      : [['@threadline/core alone', ours.core?.error ? `not built (${ours.core.error})` : 'not built', '—', '—', '', '']]),
    row('Floor: preact + socket.io-client + idb-keyval', ours.floorSize, 'esbuild IIFE', 'only what we import'),
  ];

  const peerRows = [];
  const peerData = [];
  for (const peer of PEERS) {
    let s = null;
    let err = null;
    try {
      s = sizesOfFiles(await peerFiles(peer));
    } catch (e) {
      err = String(e.message ?? e).split('\n')[0];
    }
    const b = base[peer.compare];
    const label = `${peer.label}${peer.kind === 'stub' ? ' **[stub]**' : ''}`;
    peerRows.push(
      s
        ? [label, peerVersion(peer), kib(s.raw), kib(s.gzip), kib(s.brotli), peer.build === 'prebuilt' ? 'prebuilt dist' : 'esbuild IIFE', `${ratio(s, b.size)} ${b.label}`]
        : [label, peerVersion(peer), `failed: ${err}`, '—', '—', peer.build, '—'],
    );
    peerData.push({ id: peer.id, label: peer.label, kind: peer.kind, build: peer.build, version: peerVersion(peer), size: s, error: err, compare: b.label });
  }

  const importList = Object.entries(ours.floor.imports)
    .map(([m, n]) => `\`${m}\`: ${n.join(', ')}`)
    .join('; ');
  const versions = Object.entries(ours.floor.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const md = [
    '### Threadline',
    '',
    table(['Part', 'Raw', 'gzip -9', 'brotli q11', 'How', 'Files'], ourRows, ['l', 'r', 'r', 'r', 'l', 'l']),
    '',
    `Widget parts read from ${ours.parts ? `\`${relToRoot(ours.parts.dist)}\` (${ours.parts.source})` : '`packages/widget/dist` (not built yet)'}.`,
    'The initial part is not a superset of the floor: Preact ships with the panel (the launcher is plain DOM), and the widget build keeps only socket.io\'s WebSocket transport up front (long-polling is on demand) and drops its binary-packet support; the floor is the three libraries as a plain bundler sees them.',
    `Floor imports (${ours.floor.scanned ? 'scanned from packages/core and packages/widget sources' : 'default list: sources import none yet'}): ${importList}. Versions: ${versions}.`,
    '',
    '### Peers (same run)',
    '',
    table(['Peer', 'Version', 'Raw', 'gzip -9', 'brotli q11', 'How', 'gzip vs ours'], peerRows, ['l', 'l', 'r', 'r', 'r', 'l', 'l']),
    '',
    '**[stub]**: a loader whose real payload is fetched from the vendor at run time; only the npm part is measured.',
    '"gzip vs ours": peer gzip ÷ ours — stubs against our loader stub, SDKs against `@threadline/core`, apps against our total;',
    'against the floor while that part of ours is not built.',
  ].join('\n');

  if (!quiet) {
    console.log('\n## Bundle size (`pnpm bench:size`)\n');
    console.log(md);
  }
  saveResult('size', {
    markdown: md,
    ours: {
      stub: ours.stub,
      initial: ours.initial,
      panel: ours.panel,
      total: ours.total,
      core: ours.coreSize,
      floor: ours.floorSize,
      floorImports: ours.floor.imports,
    },
    peers: peerData,
  });
  return { md, ours, peers: peerData };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSize().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
