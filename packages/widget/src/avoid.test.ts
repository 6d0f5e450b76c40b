import { describe, expect, it } from 'vitest';
import { liftToAvoid, watchAvoidZones } from './avoid.js';

// A phone 390×844 with the corner at the bottom right.
const corner = { top: 700, bottom: 824, left: 300, right: 370 };

describe('liftToAvoid', () => {
  it('does not move when nothing marked overlaps', () => {
    expect(liftToAvoid(corner, [{ top: 100, bottom: 200, left: 0, right: 390 }], 844)).toBe(0);
    expect(liftToAvoid(corner, [{ top: 760, bottom: 820, left: 0, right: 200 }], 844)).toBe(0);
  });

  it('lifts above a checkout bar at the bottom of the screen', () => {
    const bar = { top: 770, bottom: 844, left: 0, right: 390 };
    const lift = liftToAvoid(corner, [bar], 844);
    expect(corner.bottom - lift).toBeLessThanOrEqual(bar.top - 8);
  });

  it('keeps lifting past a second marked element it would land on', () => {
    const bar = { top: 770, bottom: 844, left: 0, right: 390 };
    const button = { top: 620, bottom: 700, left: 250, right: 390 };
    const lift = liftToAvoid(corner, [bar, button], 844);
    expect(corner.bottom - lift).toBeLessThanOrEqual(button.top - 8);
  });

  it('never lifts the corner off the top of the screen', () => {
    const huge = { top: 10, bottom: 844, left: 0, right: 390 };
    expect(liftToAvoid(corner, [huge], 844)).toBeLessThanOrEqual(corner.top - 8);
  });
});

describe('watchAvoidZones', () => {
  const rect = (top: number, bottom: number, left: number, right: number) => ({ top, bottom, left, right, width: right - left, height: bottom - top, x: left, y: top, toJSON() {} }) as DOMRect;

  it('lifts the corner above a marked checkout bar on a phone, and stops listening when told', async () => {
    Object.assign(window, { innerWidth: 390, innerHeight: 844 });
    const bar = document.createElement('div');
    bar.setAttribute('data-threadline-avoid', '');
    bar.getBoundingClientRect = () => rect(770, 844, 0, 390);
    const corner = document.createElement('div');
    corner.getBoundingClientRect = () => rect(700, 824, 300, 370);
    document.body.append(bar, corner);
    const sheets: string[] = [];
    const stop = watchAvoidZones(corner, (css) => sheets.push(css));
    await new Promise((r) => requestAnimationFrame(r));
    expect(sheets).toEqual([':host{--tl-lift:62px}']);
    stop();
    Object.assign(window, { innerWidth: 1280 });
    window.dispatchEvent(new Event('resize'));
    await new Promise((r) => requestAnimationFrame(r));
    expect(sheets).toHaveLength(1);
  });
});
