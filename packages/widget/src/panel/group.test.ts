import { describe, expect, it } from 'vitest';
import { message } from '../test/fake-client.js';
import { groupMessages } from './group.js';

describe('groupMessages', () => {
  it('groups consecutive messages of one author and separates days', () => {
    const a = message({ createdAt: '2026-03-01T10:00:00Z' });
    const b = message({ createdAt: '2026-03-01T10:01:00Z' });
    const c = message({ own: true, author: { kind: 'visitor' }, createdAt: '2026-03-01T10:02:00Z' });
    const d = message({ own: true, author: { kind: 'visitor' }, createdAt: '2026-03-03T10:02:00Z' });
    const items = groupMessages([a, b, c, d]);
    expect(items.map((i) => i.type)).toEqual(['day', 'group', 'group', 'day', 'group']);
    expect(items[1]).toMatchObject({ own: false, messages: [a, b] });
  });

  it('starts a new group when another agent answers', () => {
    const a = message({ author: { kind: 'agent', name: 'Mia' } });
    const b = message({ author: { kind: 'agent', name: 'Leo' } });
    expect(groupMessages([a, b]).filter((i) => i.type === 'group')).toHaveLength(2);
  });

  it('shows system and event messages on their own line', () => {
    const items = groupMessages([message(), message({ kind: 'event', author: { kind: 'system' }, text: 'Mia joined' })]);
    expect(items.at(-1)).toMatchObject({ type: 'system' });
  });
});
