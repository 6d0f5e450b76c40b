import { describe, expect, it } from 'vitest';
import { initialUi, uiReducer } from './ui.js';

describe('uiReducer', () => {
  it('opens, closes and toggles, returning the same state when nothing changes', () => {
    const open = uiReducer(initialUi, { type: 'open' });
    expect(open.open).toBe(true);
    expect(uiReducer(open, { type: 'open' })).toBe(open);
    expect(uiReducer(open, { type: 'toggle' }).open).toBe(false);
    expect(uiReducer(initialUi, { type: 'close' })).toBe(initialUi);
  });

  it('compose opens a new conversation with text to put in the composer once', () => {
    const s = uiReducer(initialUi, { type: 'compose', text: 'Where is my order?' });
    expect(s).toMatchObject({ open: true, route: { name: 'compose' }, prefill: 'Where is my order?' });
    expect(uiReducer(s, { type: 'prefillTaken' }).prefill).toBeNull();
  });

  it('remembers that storage fell back', () => {
    expect(uiReducer(initialUi, { type: 'storageFallback' }).storageFallback).toBe(true);
  });
});
