import { describe, expect, it } from 'vitest';
import { LIMITS, blocksSchema, fieldProblem, formProblem, richContentSchema, validate, type FormBlock } from './index.js';

const reply = { type: 'reply', label: 'Yes', value: 'yes' };
const card = { title: 'Order A-1001', subtitle: 'Blue mug', image: { url: '/v1/files/f1', alt: 'A blue mug' }, fields: [{ label: 'Status', value: 'Shipped' }], buttons: [reply] };
const form = { type: 'form', fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', required: true }, { name: 'email', label: 'Email', type: 'email', required: true }] };

const blocks = (bs: unknown[]) => validate(blocksSchema, bs);
const n = <T>(count: number, item: T) => Array.from({ length: count }, () => item);

describe('blocksSchema', () => {
  it('accepts every block type', () => {
    const res = blocks([
      { type: 'buttons', buttons: [reply, { type: 'url', label: 'Track', url: 'https://carrier.example/t/1' }, { type: 'handoff', label: 'Talk to a person' }] },
      { type: 'card', ...card },
      { type: 'carousel', cards: [card, { title: 'Order A-1002', image: { url: 'https://cdn.example/mug.png' } }] },
      form,
    ]);
    expect(res.ok).toBe(true);
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['mailto:', 'mailto:a@example.com'],
    ['a relative path', '/orders/1'],
  ])('refuses a url button to %s', (_, url) => {
    const res = blocks([{ type: 'buttons', buttons: [{ type: 'url', label: 'Go', url }] }]);
    expect(res).toEqual({ ok: false, code: 'bad_request', message: '0.buttons.0.url: must be an http or https URL' });
  });

  it.each([
    ['http (not https)', 'http://cdn.example/a.png'],
    ['another path of this server', '/v1/threads/x'],
    ['a data URL', 'data:image/png;base64,AAAA'],
  ])('refuses a card image from %s', (_, url) => {
    const res = blocks([{ type: 'card', title: 'x', image: { url } }]);
    expect(res).toEqual({ ok: false, code: 'bad_request', message: '0.image.url: must be /v1/files/<id> or an https URL' });
  });

  it('refuses more than the limit of each list', () => {
    expect(blocks([{ type: 'buttons', buttons: n(LIMITS.maxButtons + 1, reply) }])).toMatchObject({ ok: false, message: `0.buttons: at most ${LIMITS.maxButtons} buttons` });
    expect(blocks([{ type: 'card', title: 'x', buttons: n(LIMITS.maxCardButtons + 1, reply) }])).toMatchObject({ ok: false, message: '0.buttons: at most 3 buttons' });
    expect(blocks([{ type: 'card', title: 'x', fields: n(LIMITS.maxCardFields + 1, { label: 'a', value: 'b' }) }])).toMatchObject({ ok: false, message: `0.fields: at most ${LIMITS.maxCardFields} fields` });
    expect(blocks([{ type: 'carousel', cards: n(LIMITS.maxCarouselCards + 1, card) }])).toMatchObject({ ok: false, message: '0.cards: at most 10 cards' });
    expect(blocks([{ ...form, fields: n(LIMITS.maxFormFields + 1, form.fields[0]) }])).toMatchObject({ ok: false, message: `0.fields: at most ${LIMITS.maxFormFields} fields` });
    expect(blocks(n(LIMITS.maxBlocks + 1, { type: 'buttons', buttons: [reply] }))).toMatchObject({ ok: false, message: `at most ${LIMITS.maxBlocks} blocks` });
  });

  it('accepts each list at its limit', () => {
    expect(blocks([{ type: 'carousel', cards: n(LIMITS.maxCarouselCards, card) }]).ok).toBe(true);
    expect(blocks([{ type: 'card', title: 'x', buttons: n(LIMITS.maxCardButtons, reply) }]).ok).toBe(true);
  });

  it('refuses text over its size and empty labels', () => {
    expect(blocks([{ type: 'buttons', buttons: [{ ...reply, label: 'x'.repeat(LIMITS.maxLabelLength + 1) }] }])).toMatchObject({ ok: false, message: expect.stringMatching(/^0\.buttons\.0\.label: /) });
    expect(blocks([{ type: 'buttons', buttons: [{ ...reply, label: '   ' }] }])).toMatchObject({ ok: false, message: '0.buttons.0.label: must not be empty' });
    expect(blocks([{ type: 'card', title: 'x'.repeat(LIMITS.maxTitleLength + 1) }])).toMatchObject({ ok: false, message: expect.stringMatching(/^0\.title: /) });
  });

  it('refuses every other string over its size', () => {
    const over = (n: number) => 'x'.repeat(n + 1);
    const cases: [unknown, RegExp][] = [
      [{ type: 'card', title: 'x', subtitle: over(LIMITS.maxSubtitleLength) }, /^0\.subtitle: /],
      [{ type: 'card', title: 'x', fields: [{ label: 'a', value: over(LIMITS.maxSubtitleLength) }] }, /^0\.fields\.0\.value: /],
      [{ type: 'card', title: 'x', image: { url: 'https://cdn.example/a.png', alt: over(LIMITS.maxSubtitleLength) } }, /^0\.image\.alt: /],
      [{ type: 'buttons', buttons: [{ ...reply, value: over(LIMITS.maxValueLength) }] }, /^0\.buttons\.0\.value: /],
      [{ type: 'buttons', buttons: [{ type: 'url', label: 'Go', url: `https://x.example/${over(LIMITS.maxUrlLength)}` }] }, /^0\.buttons\.0\.url: /],
      [{ type: 'form', fields: [{ name: 'a', label: 'A', pattern: over(LIMITS.maxPatternLength) }] }, /^0\.fields\.0\.pattern: /],
      [{ type: 'form', fields: [{ name: 'a', label: 'A' }], submitLabel: over(LIMITS.maxLabelLength) }, /^0\.submitLabel: /],
    ];
    for (const [block, message] of cases) expect(blocks([block])).toMatchObject({ ok: false, code: 'bad_request', message: expect.stringMatching(message) });
  });

  it('refuses an empty buttons block or carousel, an unknown block type and a second form', () => {
    expect(blocks([{ type: 'buttons', buttons: [] }])).toMatchObject({ ok: false, message: '0.buttons: at least 1 button' });
    expect(blocks([{ type: 'carousel', cards: [] }])).toMatchObject({ ok: false, message: '0.cards: at least 1 card' });
    expect(blocks([{ type: 'video', url: 'https://x.example' }])).toMatchObject({ ok: false, code: 'bad_request' });
    expect(blocks([form, form])).toMatchObject({ ok: false, message: 'at most 1 form per message' });
  });

  it('refuses a form pattern that does not compile, a bad field name and duplicate names', () => {
    expect(blocks([{ type: 'form', fields: [{ name: 'a', label: 'A', pattern: '(' }] }])).toMatchObject({ ok: false, message: '0.fields.0.pattern: must be a valid regular expression' });
    expect(blocks([{ type: 'form', fields: [{ name: '1st', label: 'A' }] }])).toMatchObject({ ok: false, message: expect.stringMatching(/^0\.fields\.0\.name: /) });
    expect(blocks([{ type: 'form', fields: [{ name: 'a', label: 'A' }, { name: 'a', label: 'B' }] }])).toMatchObject({ ok: false, message: '0.fields: field names must be unique' });
  });
});

describe('richContentSchema', () => {
  it('refuses blocks or quick replies without fallback text', () => {
    const msg = 'a message with blocks or quick replies needs text, its fallback for clients and emails that do not show them';
    expect(validate(richContentSchema, { text: ' ', blocks: [form] })).toEqual({ ok: false, code: 'bad_request', message: msg });
    expect(validate(richContentSchema, { text: '', quickReplies: [{ label: 'Yes' }] })).toEqual({ ok: false, code: 'bad_request', message: msg });
    expect(validate(richContentSchema, { text: 'Your order', blocks: [form], quickReplies: [{ label: 'Yes' }] }).ok).toBe(true);
  });

  it('refuses more quick replies than the limit', () => {
    const res = validate(richContentSchema, { text: 'pick', quickReplies: n(LIMITS.maxQuickReplies + 1, { label: 'a' }) });
    expect(res).toMatchObject({ ok: false, message: `quickReplies: at most ${LIMITS.maxQuickReplies} quick replies` });
  });
});

describe('form answers', () => {
  const f = form as FormBlock;

  it('accepts values that fit every field', () => {
    expect(formProblem(f, { order: 'A-1234', email: 'a@example.com' })).toBeNull();
  });

  it('names the first field that does not fit, and why', () => {
    expect(formProblem(f, { order: 'B-1', email: 'a@example.com' })).toEqual({ field: 'order', problem: 'pattern' });
    expect(formProblem(f, { order: 'A-1234', email: 'not-an-address' })).toEqual({ field: 'email', problem: 'email' });
    expect(formProblem(f, { order: 'A-1234' })).toEqual({ field: 'email', problem: 'required' });
    expect(formProblem(f, { order: 'A-1234', email: 'a@example.com', extra: 'x' })).toEqual({ field: 'extra', problem: 'unknown' });
  });

  it('matches a pattern against the whole value, not a part of it', () => {
    expect(fieldProblem({ name: 'o', label: 'O', pattern: '\\d{4}' }, 'x12345y')).toBe('pattern');
    expect(fieldProblem({ name: 'o', label: 'O', pattern: 'a|b' }, 'ab')).toBe('pattern');
  });

  it('refuses a value over its size', () => {
    expect(fieldProblem({ name: 'o', label: 'O' }, 'x'.repeat(LIMITS.maxFieldValueLength + 1))).toBe('too_long');
  });

  it('lets an optional field stay empty', () => {
    expect(fieldProblem({ name: 'o', label: 'O', pattern: '\\d+' }, '')).toBeNull();
  });
});
