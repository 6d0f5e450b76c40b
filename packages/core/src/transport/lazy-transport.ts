/**
 * A transport whose code loads on first use: wraps a `load()` that resolves to a real transport
 * factory (typically a dynamic `import()` of a chunk holding socket.io-client). Lets a page render
 * the launcher and stored threads before ~13 KB (gzip) of socket code arrive. `connect` calls made
 * before the load finishes are replayed; a failed load is reported as a disconnection and tried
 * again on the next `connect`.
 */
import type { VisitorAuth } from '@threadline/protocol';
import type { Reply, RequestInput, RequestName, RequestResult, Transport, TransportEvent, TransportFactory } from './transport.js';

export function lazyTransport(load: () => Promise<TransportFactory>): TransportFactory {
  return (options) => new LazyTransport(load, options);
}

class LazyTransport implements Transport {
  #inner: Transport | null = null;
  #loading = false;
  #auth: (() => VisitorAuth) | null = null;
  #listeners = new Set<(e: TransportEvent) => void>();
  #closed = false;

  constructor(
    readonly load: () => Promise<TransportFactory>,
    readonly options: { serverUrl: string },
  ) {}

  get connected(): boolean {
    return this.#inner?.connected ?? false;
  }

  #emit(e: TransportEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  #ensure(): void {
    if (this.#inner || this.#loading) return;
    this.#loading = true;
    this.load().then(
      (factory) => {
        this.#loading = false;
        if (this.#closed) return;
        const inner = factory(this.options);
        this.#inner = inner;
        inner.on((e) => this.#emit(e));
        if (this.#auth) inner.connect(this.#auth);
      },
      (err: unknown) => {
        this.#loading = false;
        this.#emit({ type: 'disconnected', reason: `transport failed to load: ${String(err)}` });
      },
    );
  }

  connect(auth: () => VisitorAuth): void {
    this.#closed = false;
    this.#auth = auth;
    if (this.#inner) return this.#inner.connect(auth);
    this.#emit({ type: 'connecting' });
    this.#ensure();
  }

  close(): void {
    this.#closed = true;
    this.#auth = null;
    this.#inner?.close();
  }

  verify(timeoutMs: number): Promise<boolean> {
    const inner = this.#inner;
    if (!inner?.connected) return Promise.resolve(false);
    return inner.verify ? inner.verify(timeoutMs) : Promise.resolve(true);
  }

  reconnectNow(): void {
    if (this.#inner) this.#inner.reconnectNow?.();
    else if (this.#auth) this.#ensure();
  }

  request<K extends RequestName>(name: K, input: RequestInput<K>, timeoutMs: number): Promise<Reply<RequestResult<K>>> {
    if (!this.#inner) return Promise.resolve({ ok: false, error: { code: 'network', message: 'transport not loaded yet' } });
    return this.#inner.request(name, input, timeoutMs);
  }

  notify(name: 'typing', input: Parameters<Transport['notify']>[1]): void {
    this.#inner?.notify(name, input);
  }

  on(listener: (event: TransportEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
