import { describe, expect, it } from 'vitest';
import { LIMITS, sendInputSchema, syncInputSchema, validate, contextInputSchema, isTransientError, notifyEmailInputSchema } from './index.js';

const uuid = '01936b2e-7c3a-7d4e-8f00-0123456789ab';

describe('sendInputSchema', () => {
  it('accepts a text message for a thread', () => {
    const res = validate(sendInputSchema, { threadId: uuid, clientId: uuid, text: 'hello' });
    expect(res.ok).toBe(true);
  });

  it('refuses a message with neither text nor attachments, naming the reason', () => {
    const res = validate(sendInputSchema, { threadId: uuid, clientId: uuid, text: '   ' });
    expect(res).toEqual({ ok: false, code: 'bad_request', message: 'a message needs text or at least one attachment' });
  });

  it('refuses text over the limit as payload_too_large and names the field', () => {
    const res = validate(sendInputSchema, { threadId: uuid, clientId: uuid, text: 'x'.repeat(LIMITS.maxTextLength + 1) });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/^text: /) });
  });

  it('refuses a malformed payload as bad_request', () => {
    const res = validate(sendInputSchema, { threadId: uuid, clientId: uuid, text: 42 });
    expect(res).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it('refuses a clientId that is not a UUID', () => {
    const res = validate(sendInputSchema, { threadId: uuid, clientId: 'abc', text: 'hi' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.message).toMatch(/^clientId: /);
  });
});

describe('syncInputSchema', () => {
  it('accepts per-thread cursors', () => {
    expect(validate(syncInputSchema, { cursors: { [uuid]: 4 } }).ok).toBe(true);
  });

  it('refuses negative or fractional cursors', () => {
    expect(validate(syncInputSchema, { cursors: { [uuid]: -1 } }).ok).toBe(false);
    expect(validate(syncInputSchema, { cursors: { [uuid]: 1.5 } }).ok).toBe(false);
  });
});

describe('contextInputSchema', () => {
  it('refuses a currency that is not an ISO code', () => {
    expect(validate(contextInputSchema, { cart: { value: 10, currency: 'euro' } }).ok).toBe(false);
  });

  it('keeps a BCP 47 locale in its canonical form', () => {
    expect(validate(contextInputSchema, { locale: 'EN-us' })).toEqual({ ok: true, value: { locale: 'en-US' } });
    expect(validate(contextInputSchema, { locale: 'zh-hant-tw' })).toEqual({ ok: true, value: { locale: 'zh-Hant-TW' } });
  });

  it('refuses a locale that is not a BCP 47 tag, so no reader of the context can be made to throw', () => {
    for (const locale of ['x!', '', 'en_US', 'en-', 'toolongsubtag-xxxxxxxxxxxxxxxx']) {
      const res = validate(contextInputSchema, { locale });
      expect(res).toMatchObject({ ok: false, code: 'bad_request', message: expect.stringMatching(/^locale: .*BCP 47/) });
    }
  });
});

describe('isTransientError', () => {
  it('treats rate limits and server failures as retryable, validation as permanent', () => {
    expect(isTransientError('rate_limited')).toBe(true);
    expect(isTransientError('unavailable')).toBe(true);
    expect(isTransientError('bad_request')).toBe(false);
    expect(isTransientError('conflict')).toBe(false);
  });
});

describe('notifyEmailInputSchema', () => {
  it('keeps an address trimmed and accepts null to remove it', () => {
    expect(validate(notifyEmailInputSchema, { email: '  alice@example.com ' })).toEqual({ ok: true, value: { email: 'alice@example.com' } });
    expect(validate(notifyEmailInputSchema, { email: null })).toEqual({ ok: true, value: { email: null } });
  });

  it('answers email_invalid for a string that is not an address, bad_request for a missing field', () => {
    for (const email of ['alice', 'alice@', '<script>@x', `${'a'.repeat(250)}@example.com`]) {
      const res = validate(notifyEmailInputSchema, { email });
      expect(res.ok ? 'accepted' : res.code).toBe('email_invalid');
    }
    const missing = validate(notifyEmailInputSchema, {});
    expect(missing.ok ? 'accepted' : missing.code).toBe('bad_request');
  });
});
