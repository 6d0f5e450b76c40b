import { useEffect, useState } from 'preact/hooks';
import type { Availability } from '@threadline/protocol';
import type { Client } from '@threadline/core';
import { useStore } from '../state/use-store.js';

/** Answers kept per client for this long: the panel's parts share one request per opening. */
const FRESH_MS = 60_000;
const cache = new WeakMap<Client, { value: Promise<Availability | null>; at: number }>();

function load(client: Client): Promise<Availability | null> {
  const hit = cache.get(client);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.value;
  const value = client.availability();
  cache.set(client, { value, at: Date.now() });
  // A failed read (offline) is not kept: the next connection asks again.
  void value.then((v) => v === null && cache.get(client)?.value === value && cache.delete(client));
  return value;
}

/** The app's availability (hours, reply time, agents online), asked once the client is connected; null until known. */
export function useAvailability(client: Client): Availability | null {
  const connected = useStore(client, (s) => s.connection === 'connected' || s.connection === 'following');
  const [value, setValue] = useState<Availability | null>(null);
  useEffect(() => {
    if (!connected) return;
    let live = true;
    void load(client).then((v) => live && v && setValue(v));
    return () => void (live = false);
  }, [connected]);
  return value;
}
