import { afterEach, describe, expect, it } from 'vitest';
import { isStored } from '../test/stored-files.js';
import { API_KEY, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function upload(harness: Harness, token: string, content: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/plain' }), 'note.txt');
  const res = await fetch(`${harness.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return ((await res.json()) as any).attachment.id;
}
const download = (harness: Harness, id: string) => fetch(`${harness.url}/v1/files/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });

describe('uploads no message used are collected after a grace period', () => {
  it('deletes the row and the bytes of an upload left unattached past the grace period', async () => {
    h = await startServer({ unattachedUploads: { ttlMs: 1, sweepIntervalMs: 10 } });
    const v = await connect(h.url);
    const id = await upload(h, v.session.token, 'never sent');
    await eventually(async () => (await download(h!, id)).status === 404);
    expect(await h.server.store.getFile(id)).toBeUndefined();
    // The row goes first (no message can claim the upload any more), then the bytes (every chunk of them on PostgreSQL).
    await eventually(async () => !(await isStored(h!, id)));
    v.close();
  });

  it('answers not_found to a message that refers to a collected upload, and keeps serving', async () => {
    h = await startServer({ unattachedUploads: { ttlMs: 1, sweepIntervalMs: 10 } });
    const v = await connect(h.url);
    const id = await upload(h, v.session.token, 'too late');
    await eventually(async () => (await h!.server.store.getFile(id)) === undefined);
    const ack = await send(v, newId(), 'here it is', { create: true, attachmentIds: [id] });
    expect(ack).toEqual({ ok: false, error: { code: 'not_found', message: expect.any(String) } });
    expect((await send(v, newId(), 'still here', { create: true })).ok).toBe(true);
    v.close();
  });

  it('never collects an upload that a message uses', async () => {
    // Upload and send under the default grace period, then restart with a grace period of 1 ms:
    // the upload nobody sent goes, the one in the message stays.
    h = await startServer();
    const v = await connect(h.url);
    const sent = await upload(h, v.session.token, 'in a message');
    const unsent = await upload(h, v.session.token, 'never sent');
    expect((await send(v, newId(), 'see attached', { create: true, attachmentIds: [sent] })).ok).toBe(true);
    v.close();
    h.config.unattachedUploads = { ttlMs: 1, sweepIntervalMs: 10 };
    await h.restart();
    await eventually(async () => (await h!.server.store.getFile(unsent)) === undefined && !(await isStored(h!, unsent)));
    const res = await download(h, sent);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('in a message');
  });
});
