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
