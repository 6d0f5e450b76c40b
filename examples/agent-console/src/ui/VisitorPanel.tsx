import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AgentVisitor } from '@threadline/protocol';
import type { TrackedEvent } from '../api/api-client.js';
import { safeHref } from '@threadline/protocol';
import { describeDevice, formatMoney, fullTime, shortTime } from '../text/format.js';
import { useServices } from './context.js';

export interface VisitorPanelProps {
  visitor: AgentVisitor;
  onProactive(visitorId: string): void;
}

/** Who the shopper is and what they are doing, so nobody has to ask. */
export function VisitorPanel({ visitor: v, onProactive }: VisitorPanelProps) {
  const events = useVisitorEvents(v.id, v.context.page?.url);
  const { page, cart, device, locale, attributes } = v.context;
  const pageHref = page ? safeHref(page.url) : null;
  const referrer = page?.referrer ? safeHref(page.referrer) : null;
  return (
    <aside class="visitor-panel" aria-label="Visitor details">
      <section>
        <h3>Identity</h3>
        {v.userId ? (
          <p>
            <strong>{v.name ?? v.userId}</strong> <span class="tag tag-verified">Signed in</span>
          </p>
        ) : (
          <p>
            <strong>{v.name ?? 'Anonymous visitor'}</strong>
          </p>
        )}
        <dl>
          {v.email && (
            <>
              <dt>E-mail</dt>
              <dd>{v.email}</dd>
            </>
          )}
          {v.userId && (
            <>
              <dt>User ID</dt>
              <dd class="mono">{v.userId}</dd>
            </>
          )}
          <dt>Visitor ID</dt>
          <dd class="mono" title={v.id}>
            …{v.id.slice(-12)}
          </dd>
          <dt>Status</dt>
          <dd>
            <span class={`presence${v.online ? ' on' : ''}`} aria-hidden="true" />
            {v.online ? 'Online now' : v.lastSeenAt ? `Last seen ${fullTime(v.lastSeenAt)}` : 'Offline'}
          </dd>
        </dl>
        {v.online && (
          <button type="button" class="btn btn-small" onClick={() => onProactive(v.id)}>
            Send a proactive message
          </button>
        )}
      </section>
      <section>
        <h3>Page</h3>
        {page ? (
          <>
            <p class="page-title">{page.title || page.url}</p>
            {pageHref ? (
              <a href={pageHref} target="_blank" rel="noopener noreferrer" class="url">
                {page.url}
              </a>
            ) : (
              <p class="url">{page.url}</p>
            )}
            {page.referrer && (
              <p class="muted">
                from{' '}
                {referrer ? (
                  <a href={referrer} target="_blank" rel="noopener noreferrer">
                    {page.referrer}
                  </a>
                ) : (
                  page.referrer
                )}
              </p>
            )}
          </>
        ) : (
          <p class="muted">Not reported yet.</p>
        )}
      </section>
      <section>
        <h3>Cart</h3>
        {cart ? (
          <p>
            <strong>{formatMoney(cart.value, cart.currency, locale)}</strong>
            {cart.items !== undefined && ` · ${cart.items} item${cart.items === 1 ? '' : 's'}`}
          </p>
        ) : (
          <p class="muted">Empty or not reported.</p>
        )}
      </section>
      <section>
        <h3>Device</h3>
        <p title={device?.userAgent}>{describeDevice(device?.userAgent)}</p>
        {locale && <p class="muted">Language: {locale}</p>}
      </section>
      {attributes && Object.keys(attributes).length > 0 && (
        <section>
          <h3>Attributes</h3>
          <dl>
            {Object.entries(attributes).map(([k, val]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{val === null ? '—' : String(val)}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      )}
      {events.length > 0 && (
        <section>
          <h3>Recent activity</h3>
          <ul class="events">
            {events.slice(-6).reverse().map((e, i) => (
              <li key={i}>
                <span class="mono">{e.name}</span>
                {e.props && Object.keys(e.props).length > 0 && <small> {summariseProps(e.props)}</small>}
                <time dateTime={e.createdAt}>{shortTime(e.createdAt)}</time>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}

function summariseProps(props: Record<string, unknown>): string {
  return Object.entries(props)
    .slice(0, 3)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** Tracked events of the visitor, refreshed when they move to another page. */
function useVisitorEvents(visitorId: string, pageUrl: string | undefined): TrackedEvent[] {
  const { api } = useServices();
  const [events, setEvents] = useState<TrackedEvent[]>([]);
  useEffect(() => {
    let live = true;
    api.getVisitor(visitorId).then(
      (profile) => live && setEvents(profile.events ?? []),
      // The panel still shows the context carried by the thread; activity is extra.
      () => live && setEvents([]),
    );
    return () => {
      live = false;
    };
  }, [api, visitorId, pageUrl]);
  return events;
}
