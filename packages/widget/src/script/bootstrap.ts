/**
 * What `threadline.js` does the moment it arrives: replace the page's queue stub with the real
 * command function at once (so nothing else queues up in the stub), and load the widget's ES
 * modules. Calls keep queueing here until the main module has taken over, when the browser is
 * idle. A failed load is reported on the console, never thrown into the page, and the queue is
 * kept (a later `Threadline(...)` call retries the load).
 */
export type Call = ArrayLike<unknown>;
export type Stub = ((...args: unknown[]) => void) & { q?: ArrayLike<unknown>[]; loaded?: true };

/** The main module's contract with the bootstrap. */
export interface MainModule {
  /**
   * Takes the queue, which keeps receiving the page's calls until `live(run)` is called; from then
   * on calls go to `run` directly (the main module drains the queue first, when the browser is idle).
   */
  start(queue: Call[], live: (run: (call: Call) => void) => void): void;
}

export function installBootstrap(w: { Threadline?: Stub }, load: () => Promise<MainModule>): void {
  if (w.Threadline?.loaded) return;
  const queue: Call[] = [...(w.Threadline?.q ?? [])];
  let run: ((call: Call) => void) | null = null;
  let loading = false;
  const boot = () => {
    if (loading) return;
    loading = true;
    load().then(
      (main) => main.start(queue, (r) => (run = r)),
      (error: unknown) => {
        loading = false;
        console.warn(`[Threadline] could not load the widget: ${String(error)}`);
      },
    );
  };
  const api: Stub = function Threadline(...args: unknown[]) {
    if (run) return run(args);
    queue.push(args);
    boot();
  };
  api.loaded = true;
  w.Threadline = api;
  boot();
}
