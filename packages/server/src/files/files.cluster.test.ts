import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, connect, newId, send, type Harness } from '../test/harness.js';
import { startNodes, type Nodes } from '../test/nodes.js';
import { DatabaseFileStore } from './database-file-store.js';

// Without Redis: files are shared through the database alone.
describe('uploads on several nodes', () => {
  let group: Nodes;
  beforeAll(async () => {
    group = await startNodes(2, { redis: false, overrides: { maxUploadBytes: 8 * 1024 * 1024 } });
  });
  afterAll(() => group?.close());

  it('a file uploaded through one node downloads byte for byte through another', async () => {
    const [a, b] = group.nodes as [Harness, Harness];
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(6 * 1024 * 1024 - 9)]);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'manual.pdf');
    const up = await fetch(`${a.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
    expect(up.status).toBe(201);
    const { attachment } = (await up.json()) as any;
    expect(await new DatabaseFileStore(a.server.store.db).chunkCount(attachment.id)).toBe(24);
    const down = await fetch(`${b.url}${attachment.url}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("a visitor's upload on one node is sent in a message and read by the visitor on another", async () => {
    const [a, b] = group.nodes as [Harness, Harness];
    const v = await connect(a.url);
    const form = new FormData();
    form.append('file', new Blob(['a note'], { type: 'text/plain' }), 'note.txt');
    const up = await fetch(`${a.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${v.session.token}` }, body: form });
    const { attachment } = (await up.json()) as any;
    const w = await connect(b.url, { token: v.session.token });
    expect((await send(w, newId(), 'see attached', { create: true, attachmentIds: [attachment.id] })).ok).toBe(true);
    const down = await fetch(`${b.url}${attachment.url}`, { headers: { authorization: `Bearer ${w.session.token}` } });
    expect(down.status).toBe(200);
    expect(await down.text()).toBe('a note');
    v.close();
    w.close();
  });
});
