// The peers we measure beside Threadline, installed as bench-only dev dependencies.
//
// Each peer is measured from its prebuilt dist file(s) where the package ships one that a page
// can load, otherwise bundled here with esbuild (minified IIFE, production defines). "Stub" rows
// are loaders whose real payload is fetched from the vendor's servers at run time: their size is
// only the part that ships in npm.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NM, bundle, pkgVersion } from './lib/common.mjs';

const LIVECHAT_BUILD = join(NM, '@rocket.chat', 'livechat', 'build');

/**
 * Scripts the Rocket.Chat Livechat iframe page loads at start: those of build/index.html plus
 * the chunks its runtime adds straight away (4 and 5 in 1.13.x, seen in bench:load).
 */
export function livechatAppScripts() {
  const html = readFileSync(join(LIVECHAT_BUILD, 'index.html'), 'utf8');
  const listed = [...html.matchAll(/<script src="livechat\/([^"]+)"/g)].map((m) => m[1]);
  const startChunks = readdirSync(LIVECHAT_BUILD).filter((f) => /^(4|5)\.chunk\.[0-9a-f]+\.js$/.test(f));
  return [...listed, ...startChunks].map((f) => join(LIVECHAT_BUILD, f));
}

/**
 * `build` is 'prebuilt' (files from the package) or 'esbuild' (entry bundled here).
 * `load` describes how the page-load benchmark runs it (absent: size only).
 */
export const PEERS = [
  {
    id: 'rocketchat-stub',
    label: 'Rocket.Chat Livechat — loader stub',
    pkg: '@rocket.chat/livechat',
    kind: 'stub',
    build: 'prebuilt',
    files: () => [join(LIVECHAT_BUILD, 'rocketchat-livechat.min.js')],
    compare: 'stub',
  },
  {
    id: 'rocketchat-app',
    label: 'Rocket.Chat Livechat — iframe app (index.html scripts + chunks 4, 5 it loads at start)',
    pkg: '@rocket.chat/livechat',
    kind: 'app',
    build: 'prebuilt',
    files: livechatAppScripts,
    compare: 'total',
  },
  {
    id: 'botframework-minimal',
    label: 'Bot Framework Web Chat (webchat-minimal.js)',
    pkg: 'botframework-webchat',
    kind: 'app',
    build: 'prebuilt',
    files: () => [join(NM, 'botframework-webchat', 'dist', 'webchat-minimal.js')],
    compare: 'total',
  },
  {
    id: 'twilio-conversations',
    label: 'Twilio Conversations SDK',
    pkg: '@twilio/conversations',
    kind: 'sdk',
    build: 'prebuilt',
    files: () => [join(NM, '@twilio', 'conversations', 'builds', 'twilio-conversations.min.js')],
    compare: 'core',
  },
  {
    id: 'stream-chat',
    label: 'Stream Chat JS SDK (StreamChat)',
    pkg: 'stream-chat',
    kind: 'sdk',
    build: 'esbuild',
    entry: `import { StreamChat } from 'stream-chat';\n(window as any).StreamChat = StreamChat;\n`,
    compare: 'core',
  },
  {
    id: 'sendbird-full',
    label: 'Sendbird Chat SDK (sendbird.min.js, all modules)',
    pkg: '@sendbird/chat',
    kind: 'sdk',
    build: 'prebuilt',
    files: () => [join(NM, '@sendbird', 'chat', 'sendbird.min.js')],
    compare: 'core',
  },
  {
    id: 'sendbird-group',
    label: 'Sendbird Chat SDK (SendbirdChat + GroupChannelModule)',
    pkg: '@sendbird/chat',
    kind: 'sdk',
    build: 'esbuild',
    entry:
      `import SendbirdChat from '@sendbird/chat';\n` +
      `import { GroupChannelModule } from '@sendbird/chat/groupChannel';\n` +
      `(window as any).SendbirdBench = { SendbirdChat, GroupChannelModule };\n`,
    compare: 'core',
  },
  {
    id: 'papercups',
    label: 'Papercups chat widget + react + react-dom 17',
    pkg: '@papercups-io/chat-widget',
    kind: 'app',
    build: 'esbuild',
    entry:
      `import * as React from 'react';\n` +
      `import * as ReactDOM from 'react-dom';\n` +
      `import { ChatWidget } from '@papercups-io/chat-widget';\n` +
      `(window as any).PapercupsBench = { React, ReactDOM, ChatWidget };\n`,
    compare: 'total',
  },
  {
    id: 'intercom-stub',
    label: 'Intercom Messenger JS SDK',
    pkg: '@intercom/messenger-js-sdk',
    kind: 'stub',
    build: 'esbuild',
    entry: `import Intercom from '@intercom/messenger-js-sdk';\n(window as any).IntercomBench = Intercom;\n`,
    compare: 'stub',
  },
  {
    id: 'crisp-stub',
    label: 'Crisp Web SDK',
    pkg: 'crisp-sdk-web',
    kind: 'stub',
    build: 'esbuild',
    entry: `import { Crisp } from 'crisp-sdk-web';\n(window as any).CrispBench = Crisp;\n`,
    compare: 'stub',
  },
  {
    id: 'smooch-stub',
    label: 'Smooch / Sunshine Conversations Web Messenger (lib/index.js)',
    pkg: 'smooch',
    kind: 'stub',
    build: 'prebuilt',
    files: () => [join(NM, 'smooch', 'lib', 'index.js')],
    compare: 'stub',
  },
];

/** Files of a peer, bundling it first when it has no usable prebuilt dist. */
export async function peerFiles(peer) {
  if (peer.build === 'prebuilt') return peer.files();
  const { outfile } = await bundle({ name: `peer-${peer.id}`, contents: peer.entry });
  return [outfile];
}

export function peerVersion(peer) {
  return pkgVersion(peer.pkg);
}

export { LIVECHAT_BUILD };
