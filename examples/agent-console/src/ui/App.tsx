import { useMemo, useState } from 'preact/hooks';
import { createApiClient } from '../api/api-client.js';
import { clearCredentials, loadCredentials, rememberedName, saveCredentials, type Credentials } from '../auth/credentials.js';
import { socketChannel } from '../inbox/agent-channel.js';
import { Console } from './Console.js';
import { SignIn } from './SignIn.js';

export function App() {
  const [credentials, setCredentials] = useState<Credentials | null>(() => loadCredentials());
  const [notice, setNotice] = useState<string | null>(null);
  const api = useMemo(() => (credentials ? createApiClient({ apiKey: credentials.apiKey }) : null), [credentials]);

  if (!credentials || !api) {
    return (
      <SignIn
        initialName={rememberedName()}
        notice={notice}
        verify={async (c) => {
          await createApiClient({ apiKey: c.apiKey }).listThreads({ limit: 1 });
        }}
        onSignedIn={(c) => {
          saveCredentials(c);
          setNotice(null);
          setCredentials(c);
        }}
      />
    );
  }
  return (
    <Console
      key={credentials.apiKey}
      credentials={credentials}
      api={api}
      channel={() => socketChannel({ apiKey: credentials.apiKey, name: credentials.name })}
      onSignOut={(reason) => {
        clearCredentials();
        setNotice(reason ?? null);
        setCredentials(null);
      }}
    />
  );
}
