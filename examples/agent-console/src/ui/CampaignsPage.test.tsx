import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { bodyOf, draftOf, points } from '../campaigns/campaign-form.js';
import type { Campaign, CampaignStats, CampaignsApi } from '../campaigns/campaigns-api.js';
import { CampaignsPage } from './CampaignsPage.js';

const checkout: Campaign = {
  id: 'checkout-help',
  name: 'Checkout help',
  status: 'live',
  message: {
    text: 'Need help with your order?',
    author: { kind: 'bot', name: 'Northwind assistant' },
    quickReplies: [{ label: 'Shipping costs' }],
    blocks: [{ type: 'buttons', buttons: [{ type: 'handoff', label: 'Talk to a person' }] }],
  },
  display: 'toast',
  audience: { attributes: [{ key: 'plan', op: 'eq', value: 'pro' }] },
  trigger: { kind: 'server_event', event: 'checkout_started', delayMs: 20_000, urlPattern: '*/checkout*' },
  caps: { perVisitor: { count: 1, perMs: 86_400_000 } },
  schedule: {},
  goal: { event: 'order_completed', windowMs: 3_600_000 },
  experiment: { holdoutShare: 20, variants: [{ id: 'a', share: 40 }, { id: 'b', share: 40, message: { text: 'Questions about delivery?' } }] },
  expiresAfterMs: 3_600_000,
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
};

const stats: CampaignStats = {
  campaign: 'checkout-help',
  goal: checkout.goal!,
  method: 'Newcombe hybrid score interval (Wilson score intervals of each rate, combined), 95 %',
  arms: [
    { variant: 'a', eligible: 70, shown: 60, opened: 20, replied: 10, dismissed: 5, converted: 56, rates: { shown: 60 / 70, opened: 20 / 70, replied: 10 / 70, dismissed: 5 / 70, converted: 0.8 }, lift: { difference: 0.2, low: 0.0524, high: 0.3339 } },
    { variant: 'b', eligible: 0, shown: 0, opened: 0, replied: 0, dismissed: 0, converted: 0, rates: { shown: null, opened: null, replied: null, dismissed: null, converted: null }, lift: null },
    { variant: 'holdout', eligible: 80, shown: 0, opened: 0, replied: 0, dismissed: 0, converted: 48, rates: { shown: 0, opened: 0, replied: 0, dismissed: 0, converted: 0.6 }, lift: null },
  ],
};

function fakeApi(list: Campaign[] = [checkout]): CampaignsApi {
  return {
    list: vi.fn(async () => list),
    create: vi.fn(async (body) => ({ ...checkout, ...body, id: 'new-1' }) as Campaign),
    update: vi.fn(async (id, patch) => ({ ...list.find((c) => c.id === id)!, ...patch }) as Campaign),
    remove: vi.fn(async () => undefined),
    stats: vi.fn(async () => stats),
  };
}

describe('Campaigns page', () => {
  it('lists campaigns and shows one with its results: the table and a bar chart of conversion by arm', async () => {
    const api = fakeApi();
    render(<CampaignsPage api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: /Checkout help/ }));
    expect(await screen.findByRole('heading', { name: 'Checkout help' })).toBeTruthy();
    expect(screen.getByText(/1 rich content block \(the prompt shows the text for now\)/)).toBeTruthy();
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => r.querySelector('th')?.textContent)).toEqual(['Arm', 'Variant a', 'Variant b', 'Holdout']);
    expect(rows[1]!.textContent).toContain('80.0 %');
    expect(rows[1]!.querySelector('.cp-lift')!.textContent).toBe('+20.0 pt95 %: +5.2 pt to +33.4 pt');
    expect(rows[3]!.textContent).toContain('baseline');
    const chart = screen.getByRole('img');
    expect(chart.getAttribute('aria-label')).toBe('Conversion rate by arm: Variant a 80.0 %, Holdout 60.0 %');
    // The holdout's bar is the grey one, and bars are proportional to the rates.
    const bars = chart.querySelectorAll('rect');
    expect(bars).toHaveLength(2);
    expect(bars[1]!.closest('g')!.getAttribute('class')).toContain('cp-bar-holdout');
    expect(Number(bars[1]!.getAttribute('width')) / Number(bars[0]!.getAttribute('width'))).toBeCloseTo(0.6 / 0.8, 2);
  });

  it('pauses a live campaign and resumes it', async () => {
    const api = fakeApi();
    render(<CampaignsPage api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: /Checkout help/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(api.update).toHaveBeenCalledWith('checkout-help', { status: 'paused' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(api.update).toHaveBeenLastCalledWith('checkout-help', { status: 'live' }));
  });

  it('says what is wrong before sending a new campaign, then creates it', async () => {
    const api = fakeApi([]);
    render(<CampaignsPage api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'New campaign' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Give the campaign a name.');
    fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'Size help' } });
    fireEvent.input(screen.getByRole('textbox', { name: 'Text' }), { target: { value: 'Not sure about the size?' } });
    fireEvent.input(screen.getByRole('textbox', { name: 'Event name' }), { target: { value: 'size_chart_opened' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add variant' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Share %' }), { target: { value: '80' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The shares add up to 80 %, not 100 %.');
    expect(api.create).not.toHaveBeenCalled();
    fireEvent.input(screen.getByRole('textbox', { name: /Holdout/ }), { target: { value: '20' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create campaign' }));
    await waitFor(() => expect(api.create).toHaveBeenCalled());
    expect(vi.mocked(api.create).mock.calls[0]![0]).toMatchObject({
      name: 'Size help',
      status: 'draft',
      trigger: { kind: 'server_event', event: 'size_chart_opened' },
      experiment: { holdoutShare: 20, variants: [{ id: 'a', share: 80 }] },
    });
    expect(await screen.findByRole('heading', { name: 'Size help' })).toBeTruthy();
  });

  it('shows the server’s refusal in words', async () => {
    const api = fakeApi([]);
    const { ApiError } = await import('../api/api-error.js');
    api.create = vi.fn(async () => Promise.reject(new ApiError('bad_request', 'trigger.urlPattern: longer than 500 characters', 400)));
    render(<CampaignsPage api={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'New campaign' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Name' }), { target: { value: 'X' } });
    fireEvent.input(screen.getByRole('textbox', { name: 'Text' }), { target: { value: 'Hi' } });
    fireEvent.input(screen.getByRole('textbox', { name: 'Event name' }), { target: { value: 'e' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The server refused the request. Trigger.urlPattern: longer than 500 characters.');
  });
});

describe('the campaign form', () => {
  it('gives back what it was given, keeping what it does not show', () => {
    const result = bodyOf(draftOf(checkout), checkout);
    if (!result.ok) throw new Error(result.problem);
    const { createdAt: _c, updatedAt: _u, id: _i, ...fields } = checkout;
    expect(result.body).toEqual(fields);
  });

  it('writes percentage points with a sign', () => {
    expect([points(0.2), points(-0.0524), points(0)]).toEqual(['+20.0 pt', '−5.2 pt', '±0.0 pt']);
  });
});

describe('a push naming a campaign with a holdout', () => {
  it('says the shopper is held out rather than queued', async () => {
    const { ProactiveForm } = await import('./ProactiveForm.js');
    const { visitor } = await import('../test/fixtures.js');
    const send = vi.fn(async () => ({ proactive: null, delivered: 'held_out' as const, duplicate: false as const }));
    render(<ProactiveForm visitors={[visitor({ id: 'v9', name: 'Bob' })]} agentName="Sam" send={send} newId={() => 'k1'} />);
    fireEvent.input(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Hello' } });
    fireEvent.input(screen.getByRole('textbox', { name: /Campaign/ }), { target: { value: 'checkout-help' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    expect((await screen.findByRole('status')).textContent).toBe("Not shown: Bob is in this campaign's holdout, which is shown nothing (counted for comparison).");
  });
});
