import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from './api-client.js';
import { ApiError, describeError } from './api-error.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('api client', () => {
  it('sends the key as a bearer header and the idempotency key on replies', async () => {
    const fetch = vi.fn(async () => json(201, { message: { id: 'm1' }, duplicate: false }));
    const api = createApiClient({ apiKey: 'tl_sk_x', fetch });
    await api.postMessage('t1', { text: 'hi', attachments: [], author: { kind: 'agent', name: 'Sam' } }, 'key-1');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/threads/t1/messages');
    expect(init.headers).toMatchObject({ authorization: 'Bearer tl_sk_x', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
    expect(JSON.parse(init.body as string)).toEqual({ text: 'hi', attachments: [], author: { kind: 'agent', name: 'Sam' } });
  });

  it('turns an error body into a typed error with a readable sentence', async () => {
    const api = createApiClient({ apiKey: 'k', fetch: async () => json(404, { error: { code: 'not_found', message: 'thread not found' } }) });
    const err = await api.getThread('t1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('not_found');
    expect(describeError(err)).toBe('Not found: it may belong to another app or have been removed. Thread not found.');
  });

  it('says why a prompt was not sent', async () => {
    const api = createApiClient({ apiKey: 'k', fetch: async () => json(429, { error: { code: 'prompt_capped', message: 'this visitor is in a conversation with a person', retryAfterMs: 1_500_000 } }) });
    const err = (await api.sendProactive({ to: { visitorId: 'v1' }, text: 'hi' }, 'key-1').catch((e: unknown) => e)) as ApiError;
    expect(err.retryAfterMs).toBe(1_500_000);
    expect(describeError(err)).toBe('Not sent: no prompt now for this shopper. This visitor is in a conversation with a person.');
  });

  it('reports an unreachable server as a network error', async () => {
    const api = createApiClient({ apiKey: 'k', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    const err = (await api.listThreads().catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network');
    expect(describeError(err)).toMatch(/Cannot reach the server/);
  });

  it('fetches only the server file route with the key, never another URL', async () => {
    const fetch = vi.fn(async () => new Response('x'));
    const api = createApiClient({ apiKey: 'k', fetch });
    await api.fetchFile('/v1/files/0190-abc');
    await expect(api.fetchFile('https://evil.test/v1/files/x')).rejects.toBeInstanceOf(ApiError);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
