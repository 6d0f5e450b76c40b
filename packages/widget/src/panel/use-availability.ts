import { useEffect, useState } from 'preact/hooks';
import { openState, type Availability } from '@threadline/protocol';
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

/**
 * The app's availability (hours, reply time, agents online), asked once the client is connected;
 * null until known. Kept current while the panel is open: `agentsOnline` follows what the server
 * tells the session (agents coming online or all gone), and the component renders again when the
 * business hours open (computed from `hours`, which the server does not push).
 */
export function useAvailability(client: Client): Availability | null {
  const connected = useStore(client, (s) => s.connection === 'connected' || s.connection === 'following');
  const told = useStore(client, (s) => s.session?.agentsOnline);
  const [value, setValue] = useState<Availability | null>(null);
  const [, setOpenedAt] = useState(0);
  useEffect(() => {
    if (!connected) return;
    let live = true;
    void load(client).then((v) => live && v && setValue(v));
    return () => void (live = false);
  }, [connected]);
  const nextOpen = value ? openState(value.hours, Date.now()).nextOpen?.getTime() : undefined;
  useEffect(() => {
    if (nextOpen === undefined) return;
    // A second after the opening, so that `openState` sees it open; at most two weeks ahead (below setTimeout's limit).
    const timer = setTimeout(() => setOpenedAt(nextOpen), nextOpen - Date.now() + 1000);
    return () => clearTimeout(timer);
  }, [nextOpen]);
  // Told during this connection is newer than the answer (asked once per opening).
  return value && told !== undefined && told !== value.agentsOnline ? { ...value, agentsOnline: told } : value;
}
