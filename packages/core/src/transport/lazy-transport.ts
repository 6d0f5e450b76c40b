/**
 * A transport whose code loads on first use: wraps a `load()` that resolves to a real transport
 * factory (typically a dynamic `import()` of a chunk holding socket.io-client). Lets a page render
 * the launcher and stored threads before ~13 KB (gzip) of socket code arrive. `connect` calls made
 * before the load finishes are replayed; a failed load is reported as a disconnection and tried
 * again on the next `connect`.
 */
import type { VisitorAuth } from '@threadline/protocol';
import type { Reply, RequestInput, RequestName, RequestResult, Transport, TransportEvent, TransportFactory } from './transport.js';
import { yieldToPage } from '../yield.js';

export function lazyTransport(load: () => Promise<TransportFactory>, pause: () => Promise<void> = yieldToPage): TransportFactory {
  return (options) => new LazyTransport(load, options, pause);
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
    readonly pause: () => Promise<void>,
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
    void this.#loadAndConnect();
  }

  /**
   * Never in the caller's task, and in two of its own: importing the chunk (its evaluation), then
   * creating the transport and connecting; each yields to the page first (yield.ts).
   */
  async #loadAndConnect(): Promise<void> {
    let factory: TransportFactory;
    try {
      await this.pause();
      factory = await this.load();
      await this.pause();
    } catch (err) {
      this.#loading = false;
      this.#emit({ type: 'disconnected', reason: `transport failed to load: ${String(err)}` });
      return;
    }
    this.#loading = false;
    if (this.#closed) return;
    const inner = factory(this.options);
    this.#inner = inner;
    inner.on((e) => this.#emit(e));
    if (this.#auth) inner.connect(this.#auth);
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
