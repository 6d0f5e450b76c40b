import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/api-client.js';
import type { FileCache } from '../api/file-cache.js';

/** The few services deep components need; state itself is passed down as props. */
export interface Services {
  api: ApiClient;
  files: FileCache;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('ServicesContext is missing');
  return s;
}
