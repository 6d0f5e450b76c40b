import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, startServer, tempDir, type Harness } from './test/harness.js';

// Tests run with the usual umask 022, under which a plain mkdir or open makes 755 / 644.
const modeOf = (p: string) => fs.statSync(p).mode & 0o777;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==',
  'base64',
);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function uploadOne(harness: Harness): Promise<string> {
  const v = await connect(harness.url);
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'a.png');
  const res = await fetch(`${harness.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${v.session.token}` }, body: form });
  v.close();
  const id = ((await res.json()) as any).attachment.id as string;
  return path.join(harness.config.dataDir, 'files', id.slice(0, 2), id);
}

describe('the data directory is private to the server user', () => {
  it('creates the directory, the database with its -wal and -shm, and stored files readable by the owner only', async () => {
    // Not tempDir() itself: mkdtemp already makes 700. A directory the server creates shows what it does.
    const dataDir = path.join(tempDir(), 'data');
    h = await startServer({ dataDir });
    const stored = await uploadOne(h);
    expect(modeOf(dataDir).toString(8)).toBe('700');
    // The token key is in the database now (settings), not in a file beside it.
    for (const file of ['threadline.sqlite', 'threadline.sqlite-wal', 'threadline.sqlite-shm']) {
      expect([file, modeOf(path.join(dataDir, file)).toString(8)]).toEqual([file, '600']);
    }
    expect(fs.existsSync(path.join(dataDir, 'token.key'))).toBe(false);
    expect(modeOf(path.join(dataDir, 'files')).toString(8)).toBe('700');
    expect(modeOf(path.dirname(stored)).toString(8)).toBe('700');
    expect(modeOf(stored).toString(8)).toBe('600');
  });

  it('tightens a data directory and database that other users could read, on start', async () => {
    const dataDir = path.join(tempDir(), 'data');
    h = await startServer({ dataDir });
    await h.close();
    h = undefined;
    for (const dir of [dataDir, path.join(dataDir, 'files')]) fs.chmodSync(dir, 0o755);
    for (const file of ['threadline.sqlite', 'threadline.sqlite-wal', 'threadline.sqlite-shm']) {
      if (fs.existsSync(path.join(dataDir, file))) fs.chmodSync(path.join(dataDir, file), 0o644);
    }
    h = await startServer({ dataDir });
    expect(modeOf(dataDir).toString(8)).toBe('700');
    expect(modeOf(path.join(dataDir, 'files')).toString(8)).toBe('700');
    for (const file of ['threadline.sqlite', 'threadline.sqlite-wal', 'threadline.sqlite-shm']) {
      expect([file, modeOf(path.join(dataDir, file)).toString(8)]).toEqual([file, '600']);
    }
  });
});
