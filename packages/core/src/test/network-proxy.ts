/**
 * A TCP proxy in front of a real server that misbehaves on demand, the way real networks do:
 *
 * - `stall()`: every open connection stops forwarding in both directions but stays open — a NAT
 *   that lost its state, a proxy that hung, a phone that changed cell. Neither end hears a FIN or
 *   a RST; only a heartbeat or an unanswered request can tell. New connections still go through
 *   (the network is usable again), unless `refuseNew` is set.
 * - `kill()`: every open connection is reset at once (a server-side crash, a load balancer
 *   restart); new connections go through.
 * - `refuseNew`: new connections are accepted and closed at once (the network is down).
 *
 * Used by the transport's tests, the fault test and the browser journeys.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface NetworkProxy {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far (forwarded or refused). */
  readonly accepted: number;
  /** When true, new connections are closed as soon as they are accepted. */
  refuseNew: boolean;
  /** Black-hole every open connection (they stay open, forwarding nothing). */
  stall(): void;
  /** Reset every open connection. */
  kill(): void;
  close(): Promise<void>;
}

export async function startNetworkProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<NetworkProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const stalled = new Set<net.Socket>();
  let accepted = 0;

  const server = net.createServer((client) => {
    accepted++;
    client.on('error', () => undefined);
    if (proxy.refuseNew) return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done);
    upstream.on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const proxy: NetworkProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    refuseNew: false,
    stall() {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Read and drop whatever arrives, so TCP keeps the connection open and quiet: no
        // back-pressure, no close, no reset — exactly what a silent black hole looks like.
        for (const s of [client, upstream]) {
          s.removeAllListeners('data');
          s.on('data', () => undefined);
          stalled.add(s);
        }
      }
      pairs.clear();
    },
    kill() {
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        for (const s of stalled) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
