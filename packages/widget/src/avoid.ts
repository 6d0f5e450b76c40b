export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const GAP = 8;

/**
 * How far to lift the corner (launcher and toast) so it covers none of the boxes the integrator
 * marked with `data-threadline-avoid` (a checkout bar on a phone, say). `corner` is where the
 * corner sits unlifted. The lift never pushes the corner above the top of the viewport.
 */
export function liftToAvoid(corner: Box, avoid: readonly Box[], viewportHeight: number): number {
  let lift = 0;
  // Lifting past one box can land on the next one up: repeat until nothing overlaps.
  for (let pass = 0; pass < avoid.length; pass++) {
    const top = corner.top - lift;
    const bottom = corner.bottom - lift;
    let moved = false;
    for (const box of avoid) {
      const overlapsX = box.left < corner.right && box.right > corner.left;
      const overlapsY = box.top < bottom && box.bottom > top;
      if (overlapsX && overlapsY && box.bottom > box.top) {
        lift = Math.max(lift, corner.bottom - box.top + GAP);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const maxLift = Math.max(0, corner.top - GAP);
  return Math.min(lift, maxLift, viewportHeight);
}

/**
 * Lifts the corner above `[data-threadline-avoid]` elements on screens under 640 px, through a
 * stylesheet setting `--tl-lift`. Measures on resize, scroll and when the corner's own size
 * changes (a toast comes or goes), at most once a frame; never polls. Returns the stop function.
 */
export function watchAvoidZones(corner: HTMLElement, setSheet: (css: string) => void): () => void {
  const doc = corner.ownerDocument;
  const win = doc.defaultView;
  if (!win) return () => {};
  let frame = 0;
  let lift = 0;
  const measure = () => {
    frame = 0;
    const avoid = [...doc.querySelectorAll('[data-threadline-avoid]')].map((el) => el.getBoundingClientRect());
    let next = 0;
    if (win.innerWidth < 640 && avoid.length) {
      // Measure against where the corner sits unlifted.
      const r = corner.getBoundingClientRect();
      next = liftToAvoid({ top: r.top + lift, bottom: r.bottom + lift, left: r.left, right: r.right }, avoid, win.innerHeight);
    }
    if (next !== lift) {
      lift = next;
      setSheet(lift ? `:host{--tl-lift:${lift}px}` : '');
    }
  };
  const schedule = () => {
    if (!frame) frame = win.requestAnimationFrame(measure);
  };
  win.addEventListener('resize', schedule, { passive: true });
  win.addEventListener('scroll', schedule, { passive: true });
  const resize = typeof win.ResizeObserver === 'function' ? new win.ResizeObserver(schedule) : null;
  resize?.observe(corner);
  schedule();
  return () => {
    win.removeEventListener('resize', schedule);
    win.removeEventListener('scroll', schedule);
    resize?.disconnect();
    if (frame) win.cancelAnimationFrame(frame);
  };
}
