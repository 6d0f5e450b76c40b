import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api/api-client.js';
import { describeError } from '../api/api-error.js';
import { createFileCache } from '../api/file-cache.js';
import type { Credentials } from '../auth/credentials.js';
import type { AgentChannel } from '../inbox/agent-channel.js';
import { InboxController } from '../inbox/inbox-controller.js';
import { onlineVisitors, queuedThreads, unreadTotal, visibleThreads, visitorOf, type Connection, type StatusFilter } from '../inbox/inbox-state.js';
import { ServicesContext } from './context.js';
import { PaneBoundary } from './PaneBoundary.js';
import { ProactiveForm } from './ProactiveForm.js';
import { ThreadList } from './ThreadList.js';
import { ThreadView } from './ThreadView.js';
import { useStore } from './use-store.js';
import { VisitorPanel } from './VisitorPanel.js';
import { CampaignsPage } from './CampaignsPage.js';
import { createCampaignsApi, type CampaignsApi } from '../campaigns/campaigns-api.js';

export interface ConsoleProps {
  credentials: Credentials;
  api: ApiClient;
  channel: () => AgentChannel;
  onSignOut(reason?: string): void;
  /** `/v1/campaigns`. @default with `credentials.apiKey` on this origin */
  campaigns?: CampaignsApi;
}

const CONNECTION_LABEL: Record<Connection, string> = {
  connecting: 'Connecting…',
  online: 'Live',
  offline: 'Offline',
  refused: 'Key refused',
};

const threadFromHash = () => new URLSearchParams(location.hash.slice(1)).get('thread');

export function Console({ credentials, api, channel, onSignOut, campaigns: campaignsApi }: ConsoleProps) {
  const files = useMemo(() => createFileCache(api), [api]);
  const controller = useMemo(
    () => new InboxController({ api, channel: channel(), agentName: credentials.name, onUnauthorized: () => onSignOut('The API key was refused. Sign in again.') }),
    [api],
  );
  const state = useStore(controller.store);
  const [filter, setFilter] = useState<StatusFilter>('open');
  const [selectedId, setSelectedId] = useState<string | null>(threadFromHash);
  const [view, setView] = useState<'inbox' | 'proactive' | 'campaigns'>('inbox');
  const campaigns = useMemo(() => campaignsApi ?? createCampaignsApi({ apiKey: credentials.apiKey }), [campaignsApi, credentials.apiKey]);
  const [proactiveFor, setProactiveFor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Whom a thread can be given to, and whether it can go back to a bot: read once per sign-in.
  const [team, setTeam] = useState<string[]>([]);
  const [botEnabled, setBotEnabled] = useState(false);
  useEffect(() => {
    api.listTeam().then((t) => setTeam(t.map((m) => m.name)), () => setTeam([]));
    api.getBot().then((b) => setBotEnabled(b.enabled), () => setBotEnabled(false));
  }, [api]);

  useEffect(() => {
    controller.start().catch((err: unknown) => setError(describeError(err)));
    const onVisible = () => document.visibilityState === 'visible' && controller.visible();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      controller.stop();
      files.clear();
    };
  }, [controller, files]);

  useEffect(() => {
    // The open thread is kept in the fragment so a reload comes back to it.
    history.replaceState(null, '', location.pathname + location.search + (selectedId ? `#thread=${selectedId}` : ''));
    controller.open(selectedId).catch((err: unknown) => setError(describeError(err)));
  }, [controller, selectedId]);

  const unread = unreadTotal(state);
  useEffect(() => {
    document.title = `${unread ? `(${unread}) ` : ''}Threadline · Agent console`;
  }, [unread]);

  const threads = visibleThreads(state, filter);
  const thread = selectedId ? state.threads[selectedId] : undefined;
  const online = onlineVisitors(state);

  const select = (id: string) => {
    setError(null);
    setView('inbox');
    setSelectedId(id);
  };

  return (
    <ServicesContext.Provider value={{ api, files }}>
      <div class={`console${thread && view === 'inbox' ? ' has-selection' : ''}`}>
        <header class="topbar">
          <p class="brand">
            <span class="logo" aria-hidden="true">
              ◆
            </span>{' '}
            Threadline <span class="muted">Agent console</span>
          </p>
          <nav class="tabs" aria-label="Sections">
            <button type="button" class={view === 'inbox' ? 'tab tab-on' : 'tab'} aria-pressed={view === 'inbox'} onClick={() => setView('inbox')}>
              Inbox{unread > 0 && <span class="badge">{unread}</span>}
            </button>
            <button
              type="button"
              class={view === 'proactive' ? 'tab tab-on' : 'tab'}
              aria-pressed={view === 'proactive'}
              onClick={() => {
                setProactiveFor(null);
                setView('proactive');
              }}
            >
              Proactive message{online.length > 0 && <span class="count">{online.length} online</span>}
            </button>
            <button type="button" class={view === 'campaigns' ? 'tab tab-on' : 'tab'} aria-pressed={view === 'campaigns'} onClick={() => setView('campaigns')}>
              Campaigns
            </button>
          </nav>
          <span class={`conn conn-${state.connection}`} role="status" aria-live="polite">
            <span class="conn-dot" aria-hidden="true" />
            {CONNECTION_LABEL[state.connection]}
          </span>
          <span class="agent" title="Your name on replies">
            {credentials.name}
          </span>
          <button type="button" class="btn btn-ghost btn-small" onClick={() => onSignOut()}>
            Sign out
          </button>
        </header>
        {error && (
          <p class="notice notice-error banner" role="alert">
            {error}{' '}
            <button type="button" class="btn btn-small btn-ghost" onClick={() => setError(null)}>
              Dismiss
            </button>
          </p>
        )}
        {view === 'campaigns' ? (
          <PaneBoundary label="Campaigns" what="The campaigns could not be shown." class="campaigns-pane">
            <CampaignsPage api={campaigns} />
          </PaneBoundary>
        ) : view === 'proactive' ? (
          <main class="proactive-page">
            <PaneBoundary label="Proactive message" what="The proactive message form could not be shown.">
              <ProactiveForm visitors={online} initialVisitorId={proactiveFor} agentName={credentials.name} send={api.sendProactive} />
            </PaneBoundary>
          </main>
        ) : (
          <main class="inbox">
            <PaneBoundary label="Conversations" what="The list of conversations could not be shown." class="thread-list">
              <ThreadList
                threads={threads}
                visitors={state.visitors}
                typing={state.typing}
                selectedId={selectedId}
                filter={filter}
                loaded={state.listed}
                hasMore={state.next !== null}
                onFilter={setFilter}
                onSelect={select}
                agentName={credentials.name}
                queued={queuedThreads(state).length}
                onLoadMore={() => controller.loadThreads(true).catch((err: unknown) => setError(describeError(err)))}
              />
            </PaneBoundary>
            {thread ? (
              <>
                {/* Each pane fails on its own: one thread or visitor the code cannot show must not take the console down. */}
                <PaneBoundary
                  label="Conversation"
                  what="This conversation could not be shown."
                  class="thread-view"
                  resetKey={thread.id}
                  leave={{ label: '← Back to conversations', run: () => setSelectedId(null) }}
                >
                  <ThreadView
                    thread={thread}
                    visitor={visitorOf(state, thread)}
                    messages={state.messages[thread.id]}
                    pending={state.pending.filter((p) => p.threadId === thread.id)}
                    visitorTyping={!!state.typing[thread.id]}
                    onLoadEarlier={() => controller.loadEarlier(thread.id)}
                    onSend={(text, attachments) => void controller.reply(thread.id, text, attachments)}
                    onRetry={(id) => void controller.retry(id)}
                    onDiscard={(id) => controller.discard(id)}
                    onTyping={() => controller.typing(thread.id)}
                    onStatus={(action) => controller.setStatus(thread.id, action)}
                    onAssign={(to) => controller.assign(thread.id, to)}
                    agentName={credentials.name}
                    team={team}
                    botEnabled={botEnabled}
                    onBack={() => setSelectedId(null)}
                  />
                </PaneBoundary>
                <PaneBoundary label="Visitor details" what="The visitor's details could not be shown." class="visitor-panel" resetKey={visitorOf(state, thread)}>
                  <VisitorPanel
                    visitor={visitorOf(state, thread)}
                    onProactive={(id) => {
                      setProactiveFor(id);
                      setView('proactive');
                    }}
                  />
                </PaneBoundary>
              </>
            ) : (
              <section class="placeholder">
                <p>{state.listed && threads.length > 0 ? 'Choose a conversation on the left.' : ''}</p>
              </section>
            )}
          </main>
        )}
      </div>
    </ServicesContext.Provider>
  );
}
