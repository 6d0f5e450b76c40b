/**
 * Several tabs of one app, one socket: the tabs talk over a BroadcastChannel
 * (`threadline:<appId>`) and elect a leader with Web Locks (`leader.ts`). The leader holds the
 * socket and the outbox's sending loop and mirrors every shared action to the followers; a
 * follower runs the commands that need the socket in the leader (`call`, typed by
 * `TabCommands`) and tells it about outbox entries it stored. When the leader goes, the next tab
 * takes over and runs the calls still waiting for an answer itself (`takeOver`).
 */
import type { Environment, ChannelLike, TimerHandle } from '../environment.js';
import type { Host } from '../host.js';
import type { Store } from '../store.js';
import type { Action } from '../state/state.js';
import { elect, type Election } from './leader.js';
import { LOCAL_ACTIONS, isTabMessage, type TabCall, type TabCommand, type TabCommands, type TabMessage } from './messages.js';

/** A follower's call without an answer after this long resolves without effect. */
const RPC_TIMEOUT_MS = 15_000;

export interface TabsDeps {
  /** The client's store, environment and error reporting. */
  host: Pick<Host, 'store' | 'env' | 'error'>;
  /** Leader: run a follower's command here. */
  run(call: TabCall): Promise<unknown>;
  /** Leader: a follower stored this outbox entry; adopt it from storage. */
  stored(clientId: string): void;
  /** Follower: the leader settled this outbox entry (acked or discarded). */
  forget(clientId: string): void;
  /** Another tab logged out: this one closes and forgets. */
  shutdown(): void;
}

export class Tabs {
  readonly #d: TabsDeps;
  #channel: ChannelLike | null = null;
  #election: Election | null = null;
  /** Answers awaited from the leader, by call id. */
  #waiting = new Map<string, { call: TabCall; settle: (result: unknown) => void; timer: TimerHandle }>();

  constructor(deps: TabsDeps) {
    this.#d = deps;
  }

  /** Join the other tabs as a follower and stand for leader; `lead` runs when this tab wins. */
  join(channelName: string, locks: NonNullable<Environment['locks']>, channel: NonNullable<Environment['channel']>, lead: () => void): void {
    this.#channel = channel(channelName);
    this.#channel.addEventListener('message', this.#onMessage);
    this.post({ k: 'hello' });
    this.#election = elect(locks, `${channelName}:leader`, lead);
  }

  post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch (err) {
      // A payload that cannot be cloned (should not happen: actions are plain data).
      this.#fail(err);
    }
  }

  /** Leader: mirror what changed to the followers. */
  mirror(action: Action): void {
    if (this.#d.host.store.state.role === 'leader' && !LOCAL_ACTIONS.has(action.type)) this.post({ k: 'action', action });
  }

  /** Follower: ask the leader to run a command; resolves with its result (undefined after a timeout). */
  call<K extends TabCommand>(name: K, args: TabCommands[K]): Promise<unknown> {
    const { env } = this.#d.host;
    const id = env.uuid();
    const call = { name, args } as TabCall;
    return new Promise((resolve) => {
      const settle = (result: unknown) => {
        env.clearTimeout(entry.timer);
        this.#waiting.delete(id);
        resolve(result);
      };
      const entry = { call, settle, timer: env.setTimeout(() => settle(undefined), RPC_TIMEOUT_MS) };
      this.#waiting.set(id, entry);
      this.post({ k: 'cmd', id, ...call });
    });
  }

  /**
   * This tab leads now. Calls made while the election was still open went out as follower calls
   * that no other tab may answer (a tab does not hear its own BroadcastChannel posts): run them
   * here instead.
   */
  takeOver(): void {
    for (const { call, settle } of [...this.#waiting.values()]) {
      void this.#d.run(call).then(settle, () => settle(undefined));
    }
  }

  /** Stop sharing (storage fell back to memory): leave the election and the channel. */
  leave(): void {
    this.#election?.release();
    this.#election = null;
    if (this.#channel) {
      this.#channel.removeEventListener('message', this.#onMessage);
      this.#channel.close();
      this.#channel = null;
    }
  }

  stop(): void {
    this.leave();
    for (const { settle } of [...this.#waiting.values()]) settle(undefined);
  }

  #onMessage = (event: { data: unknown }): void => {
    const msg = event.data;
    if (!isTabMessage(msg)) return;
    try {
      this.#handle(msg);
    } catch (err) {
      // Never into the host page: a listener's exception would surface as an uncaught error.
      this.#fail(err);
    }
  };

  #fail(err: unknown): void {
    this.#d.host.error({ code: 'internal_client', message: `tab message failed: ${String(err)}` });
  }

  #handle(msg: TabMessage): void {
    const { store } = this.#d.host;
    const leader = store.state.role === 'leader';
    switch (msg.k) {
      case 'action':
        if (leader) return;
        store.dispatch(msg.action);
        if (msg.action.type === 'acked' || msg.action.type === 'outboxRemove') this.#d.forget(msg.action.clientId);
        return;
      case 'hello':
        if (leader) for (const action of liveState(store)) this.post({ k: 'action', action });
        return;
      case 'outbox':
        if (leader) this.#d.stored(msg.clientId);
        return;
      case 'cmd': {
        if (!leader) return;
        const { k: _k, id, ...call } = msg;
        void this.#d.run(call as TabCall).then((result) => this.post({ k: 'reply', id, result }));
        return;
      }
      case 'reply':
        this.#waiting.get(msg.id)?.settle(msg.result);
        return;
      case 'shutdown':
        this.#d.shutdown();
        return;
    }
  }
}

/** What a new follower needs to catch up with the leader's live state. */
function liveState(store: Store): Action[] {
  const s = store.state;
  const actions: Action[] = [
    { type: 'connection', state: s.connection, error: s.connectionError },
    { type: 'session', session: s.session },
    { type: 'proactive', prompts: [...s.proactive] },
  ];
  for (const [threadId, typing] of Object.entries(s.typing)) actions.push({ type: 'typing', threadId, typing });
  for (const list of Object.values(s.uploads)) for (const progress of list) actions.push({ type: 'upload', progress });
  for (const entry of Object.values(s.outbox)) actions.push({ type: 'outboxPut', entry });
  return actions;
}
