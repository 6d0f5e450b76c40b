/**
 * Large uploads stream through the server into the file store: the database store (on either
 * engine; on PostgreSQL the server's default) and, for the round trip, whatever store the server
 * picks by default (disk on SQLite).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, DatabaseFileStore } from '../../files/database-file-store.js';
import { isStored, storedCount } from '../../test/stored-files.js';
import { API_KEY, eventually, startServer, type Harness } from '../../test/harness.js';

const MAX = 8 * 1024 * 1024;
/** A PDF by its signature, then random bytes: accepted, and incompressible. */
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

async function upload(h: Harness, bytes: Buffer, type = 'application/pdf') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), 'big.pdf');
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

async function download(h: Harness, id: string) {
  const res = await fetch(`${h.url}/v1/files/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every row of file_chunks, finished or not. */
async function chunkRows(h: Harness): Promise<number> {
  const row = await h.server.store.db.selectFrom('file_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('uploads into the database store', () => {
  let h: Harness;
  let store: DatabaseFileStore;
  beforeAll(async () => {
    // The store needs the server's database, which exists once the server does: handed over late.
    let late: DatabaseFileStore | undefined;
    const files = {
      put: (key: string, data: AsyncIterable<Uint8Array>) => late!.put(key, data),
      get: (key: string) => late!.get(key),
      delete: (key: string) => late!.delete(key),
    };
    h = await startServer({ maxUploadBytes: MAX }, { files });
    store = late = new DatabaseFileStore(h.server.store.db);
  });
  afterAll(() => h?.close());

  it('round-trips a 6 MiB file byte for byte, stored in 24 chunks of 256 KiB', async () => {
    const bytes = pdf(6 * 1024 * 1024);
    const up = await upload(h, bytes);
    expect(up.status).toBe(201);
    expect(up.body.attachment).toMatchObject({ mime: 'application/pdf', size: bytes.length });
    expect(await store.chunkCount(up.body.attachment.id)).toBe(24);
    const down = await download(h, up.body.attachment.id);
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(bytes.length));
    expect(down.headers.get('content-type')).toBe('application/pdf');
    expect(down.headers.get('x-content-type-options')).toBe('nosniff');
    expect(down.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(down.bytes.equals(bytes)).toBe(true);
  });

  it('writes chunks while the body is still arriving, and nobody reads the file before it is complete', async () => {
    const bytes = pdf(6 * 1024 * 1024);
    const boundary = `tl${randomBytes(8).toString('hex')}`;
    const partHead = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="slow.pdf"\r\ncontent-type: application/pdf\r\n\r\n`;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const hold = 2 * 1024 * 1024;
    async function* body() {
      yield Buffer.from(partHead);
      for (let at = 0; at < bytes.length; at += 64 * 1024) {
        if (at === hold) await released;
        yield bytes.subarray(at, at + 64 * 1024);
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const before = await chunkRows(h);
    const response = fetch(`${h.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: ReadableStream.from(body()),
      duplex: 'half',
    } as RequestInit);
    // 2 MiB in, the file's first chunks are in the table, unfinished: no reader gets them.
    const key = await eventually(async () => {
      const rows = await h.server.store.db.selectFrom('file_chunks').select(['key', 'chunks']).where('idx', '=', 0).where('chunks', 'is', null).execute();
      return rows.length === 1 && (await store.chunkCount(rows[0]!.key)) >= hold / CHUNK_BYTES - 1 && rows[0]!.key;
    });
    expect(await chunkRows(h)).toBeLessThan(before + 8 + 1);
    expect(await store.get(key)).toBeNull();
    expect((await download(h, key)).status).toBe(404);
    release();
    const res = await response;
    expect(res.status).toBe(201);
    const { attachment } = (await res.json()) as any;
    expect(attachment.id).toBe(key);
    expect(await store.chunkCount(key)).toBe(24);
    expect((await download(h, key)).bytes.equals(bytes)).toBe(true);
  });

  it('takes a file of exactly the cap', async () => {
    const up = await upload(h, pdf(MAX));
    expect(up.status).toBe(201);
    expect(up.body.attachment.size).toBe(MAX);
  });

  it('refuses a file over the cap with 413 payload_too_large, leaving no chunk behind', async () => {
    const before = await chunkRows(h);
    const up = await upload(h, pdf(MAX + 1));
    expect(up.status).toBe(413);
    expect(up.body.error).toEqual({ code: 'payload_too_large', message: 'the file is larger than the 8 MB limit' });
    expect(await chunkRows(h)).toBe(before);
  });

  it('refuses a type off the allow-list with 415 after storing the stream, leaving no chunk behind', async () => {
    const before = await chunkRows(h);
    const up = await upload(h, randomBytes(3 * 1024 * 1024), 'application/octet-stream');
    expect(up.status).toBe(415);
    expect(up.body.error.code).toBe('unsupported_media_type');
    expect(await chunkRows(h)).toBe(before);
  });

  it('refuses text with a control byte after the first chunk: the whole file is checked, not only its head', async () => {
    const text = Buffer.alloc(CHUNK_BYTES * 3, 'a');
    text[CHUNK_BYTES * 2 + 7] = 0x00;
    const before = await chunkRows(h);
    const up = await upload(h, text, 'text/plain');
    expect(up.status).toBe(415);
    expect(await chunkRows(h)).toBe(before);
    text[CHUNK_BYTES * 2 + 7] = 0x62;
    expect((await upload(h, text, 'text/plain')).status).toBe(201);
  });
});

describe('uploads into the store the server picks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ maxUploadBytes: MAX });
  });
  afterAll(() => h?.close());

  it('round-trips a 6 MiB file byte for byte (on PostgreSQL in the database, on SQLite on disk)', async () => {
    const bytes = pdf(6 * 1024 * 1024);
    const up = await upload(h, bytes);
    expect(up.status).toBe(201);
    const id = up.body.attachment.id as string;
    expect(await isStored(h, id)).toBe(true);
    expect(await storedCount(h)).toBe(1);
    if (h.config.databaseUrl) expect(await new DatabaseFileStore(h.server.store.db).chunkCount(id)).toBe(24);
    expect((await download(h, id)).bytes.equals(bytes)).toBe(true);
  });
});
