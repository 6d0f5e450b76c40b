import { describe, expect, it } from 'vitest';
import { createDrafts } from './drafts.js';

describe('drafts', () => {
  it('keeps text per thread across instances (reloads) and clears only its own app', () => {
    localStorage.setItem('other', 'x');
    const a = createDrafts('demo');
    a.set('t1', 'half a sentence');
    a.set('new', 'hello');
    expect(createDrafts('demo').get('t1')).toBe('half a sentence');
    expect(createDrafts('other-app').get('t1')).toBe('');
    a.clear();
    expect(createDrafts('demo').get('t1')).toBe('');
    expect(localStorage.getItem('other')).toBe('x');
  });

  it('works in memory when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => undefined,
      key: () => null,
      length: 0,
    };
    const d = createDrafts('demo', broken);
    d.set('t1', 'kept');
    expect(d.get('t1')).toBe('kept');
  });
});
