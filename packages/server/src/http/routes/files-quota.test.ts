import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCount } from '../../test/stored-files.js';
import { API_KEY, connect, newId, send, startServer, type Harness, type Visitor } from '../../test/harness.js';

// A tiny budget so a few small uploads reach it: 3 files or 100 bytes not yet in a message.
let h: Harness;
const countFiles = () => storedCount(h);

async function upload(token: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'text/plain' }), 'note.txt');
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}
const text = (n: number) => Buffer.alloc(n, 'a');

beforeAll(async () => {
  h = await startServer({ unattachedUploads: { maxFilesPerVisitor: 3, maxBytesPerVisitor: 100 } });
});
afterAll(async () => {
  await h.close();
});

describe('a visitor cannot fill the disk with uploads it never sends', () => {
  let v: Visitor;
  beforeAll(async () => {
    v = await connect(h.url);
  });
  afterAll(() => v.close());

  it('refuses an upload over the count of unattached files with 413 upload_quota_exceeded, storing nothing', async () => {
    for (let i = 0; i < 3; i++) expect((await upload(v.session.token, text(10))).status).toBe(201);
    const before = await countFiles();
    const refused = await upload(v.session.token, text(10));
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({ code: 'upload_quota_exceeded', message: expect.stringMatching(/not yet sent/) });
    expect(await countFiles()).toBe(before);
  });

  it('gives the budget back once the uploads are sent in a message', async () => {
    const w = await connect(h.url);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(w.session.token, text(10))).body.attachment.id);
    expect((await upload(w.session.token, text(10))).status).toBe(413);
    const ack = await send(w, newId(), 'three notes', { create: true, attachmentIds: ids });
    expect(ack.ok).toBe(true);
    expect((await upload(w.session.token, text(10))).status).toBe(201);
    w.close();
  });

  it('counts the bytes of unattached uploads too', async () => {
    const w = await connect(h.url);
    expect((await upload(w.session.token, text(80))).status).toBe(201);
    const refused = await upload(w.session.token, text(30));
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('upload_quota_exceeded');
    expect((await upload(w.session.token, text(20))).status).toBe(201);
    w.close();
  });

  it('lets exactly the budget through when one visitor uploads many files at once', async () => {
    const w = await connect(h.url);
    const statuses = await Promise.all(Array.from({ length: 6 }, () => upload(w.session.token, text(10)).then((r) => r.status)));
    expect(statuses.sort()).toEqual([201, 201, 201, 413, 413, 413]);
    w.close();
  });

  it('keeps one visitor over budget from stopping another, and does not limit the API key', async () => {
    const other = await connect(h.url);
    expect((await upload(other.session.token, text(10))).status).toBe(201);
    other.close();
    for (let i = 0; i < 5; i++) expect((await upload(API_KEY, text(10))).status).toBe(201);
  });
});
