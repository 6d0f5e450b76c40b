import { io, type Socket } from 'socket.io-client';
import type { Ack, AgentClientEvents, AgentServerEvents } from '@threadline/protocol';
import type { Connection } from './inbox-state.js';

/**
 * The real-time side of the inbox, as the controller needs it. The default runs over socket.io
 * (namespace `/agent`); tests pass a fake.
 */
export interface AgentChannel {
  on<E extends keyof AgentServerEvents>(event: E, listener: AgentServerEvents[E]): void;
  /** `online` after every (re)connection; `refused` when the key is rejected (no retry then). */
  onStatus(listener: (status: Connection, detail?: string) => void): void;
  readonly connected: boolean;
  typing(threadId: string, typing: boolean): void;
  /** Resolves when the server acknowledged; rejects on an error ack or after a timeout. */
  read(threadId: string, seq: number): Promise<void>;
  close(): void;
}

export interface SocketChannelOptions {
  apiKey: string;
  /** Shown to shoppers beside "typing…". */
  name: string;
  /**
   * Server origin; the console is served by the server itself.
   * @default window.location.origin
   */
  url?: string;
}

export function socketChannel({ apiKey, name, url = window.location.origin }: SocketChannelOptions): AgentChannel {
  // The key travels in the CONNECT packet's auth object, never in the URL. socket.io reconnects
  // with exponential backoff and jitter by itself (1 s doubling to 5 s, ±50 %).
  const socket: Socket<AgentServerEvents, AgentClientEvents> = io(`${url}/agent`, {
    auth: { apiKey, name },
    transports: ['websocket'],
  });
  const statusListeners: ((s: Connection, detail?: string) => void)[] = [];
  const report = (s: Connection, detail?: string) => statusListeners.forEach((l) => l(s, detail));
  socket.on('connect', () => report('online'));
  socket.on('disconnect', (reason) => report(reason === 'io client disconnect' ? 'offline' : 'connecting', reason));
  socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
    if (err.data?.code === 'unauthorized') {
      // A refused key will not become valid by retrying.
      socket.disconnect();
      report('refused', err.data.message);
    } else {
      report('connecting', err.message);
    }
  });

  return {
    on(event, listener) {
      socket.on(event, listener as never);
    },
    onStatus(listener) {
      statusListeners.push(listener);
    },
    get connected() {
      return socket.connected;
    },
    typing(threadId, typing) {
      // Typing is best effort: a lost "typing" is harmless, so no ack is asked for.
      if (socket.connected) socket.emit('typing', { threadId, typing });
    },
    read(threadId, seq) {
      return new Promise((resolve, reject) => {
        socket.timeout(5000).emit('thread.read', { threadId, seq }, (err: Error | null, ack?: Ack) => {
          if (err) reject(err);
          else if (ack && !ack.ok) reject(new Error(ack.error.message));
          else resolve();
        });
      });
    },
    close() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}
