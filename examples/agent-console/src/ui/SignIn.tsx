import { useState } from 'preact/hooks';
import { describeError } from '../api/api-error.js';
import type { Credentials } from '../auth/credentials.js';

export interface SignInProps {
  initialName: string;
  /** Checks the key against the server; rejects with an ApiError when it is refused. */
  verify(credentials: Credentials): Promise<void>;
  onSignedIn(credentials: Credentials): void;
  /** Why the previous session ended, if it did. */
  notice?: string | null;
}

export function SignIn({ initialName, verify, onSignedIn, notice }: SignInProps) {
  const [apiKey, setApiKey] = useState('');
  const [name, setName] = useState(initialName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const credentials = { apiKey: apiKey.trim(), name: name.trim() || initialName };
    setBusy(true);
    setError(null);
    try {
      await verify(credentials);
      onSignedIn(credentials);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <p class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          Threadline
        </p>
        <h1 id="sign-in-title">Agent console</h1>
        <p class="muted">Sign in with your app's API key. It is kept in this tab only and forgotten when the tab closes.</p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" spellcheck={false} required value={apiKey} onInput={(e) => setApiKey((e.target as HTMLInputElement).value)} placeholder="tl_sk_…" />
        <label for="agent-name">Your name</label>
        <input id="agent-name" type="text" autoComplete="name" maxLength={120} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <small class="muted">Shoppers see it beside your replies.</small>
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || !apiKey.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
