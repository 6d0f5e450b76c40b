import { describe, expect, it, vi } from 'vitest';
import { loadCredentials } from './credentials.js';

function env(hash: string) {
  const store = new Map<string, string>();
  return {
    location: { hash, pathname: '/agent/', search: '' },
    history: { replaceState: vi.fn() },
    storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) },
    store,
  };
}

describe('loadCredentials', () => {
  it('takes the key from the fragment, keeps it for the tab and strips it from the address bar', () => {
    const e = env('#key=tl_sk_abc&name=Sam');
    expect(loadCredentials(e)).toEqual({ apiKey: 'tl_sk_abc', name: 'Sam' });
    expect([...e.store.values()]).toContain('tl_sk_abc');
    expect(e.history.replaceState).toHaveBeenCalledWith(null, '', '/agent/');
  });

  it('keeps other fragment parameters when stripping the key', () => {
    const e = env('#key=k&thread=t1');
    loadCredentials(e);
    expect(e.history.replaceState).toHaveBeenCalledWith(null, '', '/agent/#thread=t1');
  });

  it('falls back to the key kept in session storage', () => {
    const e = env('#key=k1');
    loadCredentials(e);
    const later = { ...env(''), storage: e.storage };
    expect(loadCredentials(later)?.apiKey).toBe('k1');
    expect(later.history.replaceState).not.toHaveBeenCalled();
  });

  it('returns null without a key', () => {
    expect(loadCredentials(env(''))).toBeNull();
  });
});
