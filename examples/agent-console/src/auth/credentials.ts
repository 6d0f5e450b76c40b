/**
 * Where the console's API key lives. It arrives once in the URL fragment (`#key=…`, printed by
 * the demo start script; fragments are never sent to the server nor in a Referer), is moved to
 * sessionStorage — gone when the tab closes — and removed from the address bar so it does not end
 * up in history, bookmarks or a screenshot.
 */
export interface Credentials {
  apiKey: string;
  /** Shown to shoppers as the author of replies. */
  name: string;
}

const KEY = 'threadline.agent.key';
const NAME = 'threadline.agent.name';
export const DEFAULT_AGENT_NAME = 'Support';

export interface CredentialEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

const browserEnv = (): CredentialEnv => ({ location: window.location, history: window.history, storage: window.sessionStorage });

/** Takes a key from the fragment if there is one (and strips it), else the one kept for this tab. */
export function loadCredentials(env: CredentialEnv = browserEnv()): Credentials | null {
  const params = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromUrl = params.get('key')?.trim();
  if (fromUrl) {
    const name = params.get('name')?.trim() || env.storage.getItem(NAME) || DEFAULT_AGENT_NAME;
    saveCredentials({ apiKey: fromUrl, name }, env);
    params.delete('key');
    params.delete('name');
    const rest = params.toString();
    env.history.replaceState(null, '', env.location.pathname + env.location.search + (rest ? `#${rest}` : ''));
    return { apiKey: fromUrl, name };
  }
  const apiKey = env.storage.getItem(KEY);
  return apiKey ? { apiKey, name: env.storage.getItem(NAME) || DEFAULT_AGENT_NAME } : null;
}

export function saveCredentials(credentials: Credentials, env: Pick<CredentialEnv, 'storage'> = browserEnv()): void {
  env.storage.setItem(KEY, credentials.apiKey);
  env.storage.setItem(NAME, credentials.name);
}

/** Forgets the key; the name stays as a convenience for the next sign-in. */
export function clearCredentials(env: Pick<CredentialEnv, 'storage'> = browserEnv()): void {
  env.storage.removeItem(KEY);
}

export function rememberedName(env: Pick<CredentialEnv, 'storage'> = browserEnv()): string {
  return env.storage.getItem(NAME) || DEFAULT_AGENT_NAME;
}
