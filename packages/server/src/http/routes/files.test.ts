import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCount } from '../../test/stored-files.js';
import { API_KEY, connect, newId, send, startServer, type Harness, type Visitor } from '../../test/harness.js';

let h: Harness;
const countFiles = () => storedCount(h);
let v: Visitor;

// A real 2×2 PNG, a minimal PDF, and content that is not what it claims to be.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
// The start of a JPEG (SOI, then a JFIF APP0 segment): enough for the sniffer.
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(64)]);
// A voice clip recorded by Chromium's MediaRecorder (audio-only WebM). A bare EBML header padded
// with zeros no longer passes: the server checks that a Segment follows (files/containers.ts).
const WEBM = fs.readFileSync(new URL('../../test/fixtures/voice-chromium.webm', import.meta.url));

async function upload(bytes: Buffer, name: string, type: string, token: string = v.session.token, extra?: Record<string, string>) {
  const form = new FormData();
  for (const [k, val] of Object.entries(extra ?? {})) form.append(k, val);
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

beforeAll(async () => {
  h = await startServer({ maxUploadBytes: 64 * 1024 });
  v = await connect(h.url);
});
afterAll(async () => {
  v.close();
  await h.close();
});

describe('uploads', () => {
  it('accepts an image, records its dimensions, and serves it inline with nosniff', async () => {
    const up = await upload(PNG, 'photo.png', 'image/png');
    expect(up.status).toBe(201);
    expect(up.body.attachment).toMatchObject({ name: 'photo.png', mime: 'image/png', size: PNG.length, width: 2, height: 2 });
    expect(up.body.attachment.url).toBe(`/v1/files/${up.body.attachment.id}`);
    const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${v.session.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('serves a PDF as an attachment', async () => {
    const up = await upload(PDF, 'invoice.pdf', 'application/pdf');
    expect(up.body.attachment.mime).toBe('application/pdf');
    const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('records a voice clip as audio/webm with its declared duration', async () => {
    const up = await upload(WEBM, 'voice.webm', 'audio/webm', v.session.token, { durationMs: '4200' });
    expect(up.status).toBe(201);
    expect(up.body.attachment).toMatchObject({ mime: 'audio/webm', durationMs: 4200 });
  });

  it('keeps plain text as text/plain, served as an attachment even when it looks like HTML', async () => {
    const up = await upload(HTML, 'notes.txt', 'text/plain');
    expect(up.status).toBe(201);
    expect(up.body.attachment.mime).toBe('text/plain');
    const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${v.session.token}` } });
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await res.text()).toBe(HTML.toString());
  });

  it('refuses HTML disguised as a PNG with unsupported_media_type', async () => {
    const up = await upload(HTML, 'cat.png', 'image/png');
    expect(up.status).toBe(415);
    expect(up.body.error).toEqual({ code: 'unsupported_media_type', message: expect.stringMatching(/does not match/) });
  });

  it('refuses SVG and HTML claimed as themselves', async () => {
    expect((await upload(SVG, 'logo.svg', 'image/svg+xml')).status).toBe(415);
    expect((await upload(HTML, 'page.html', 'text/html')).status).toBe(415);
  });

  it('refuses a binary type off the allow-list', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    const up = await upload(zip, 'archive.zip', 'application/zip');
    expect(up.status).toBe(415);
  });

  it('refuses a file over the cap with payload_too_large and stores nothing', async () => {
    const before = await countFiles();
    const big = Buffer.concat([PNG, Buffer.alloc(70 * 1024)]);
    const up = await upload(big, 'huge.png', 'image/png');
    expect(up.status).toBe(413);
    expect(up.body.error).toEqual({ code: 'payload_too_large', message: 'the file is larger than the 64 KB limit' });
    expect(await countFiles()).toBe(before);
  });

  it('makes file names safe', async () => {
    const up = await upload(PNG, '../../etc/pass<wd>|\u0007.png', 'image/png');
    expect(up.body.attachment.name).toBe('passwd.png');
  });

  it('strips bidirectional overrides and other invisible format characters from file names', async () => {
    // U+202E turns "invoice<RLO>gnp.exe.png" into "invoicegnp.exe.png" on screen… and worse, e.g. "invoice<RLO>fdp.hta".
    const name = '\u200finvoice\u202e\u2066gnp\u2069\u200d\ufeff\u00ad\u061c\u200b\u2028\u0085.png';
    const up = await upload(PNG, name, 'image/png');
    expect(up.status).toBe(201);
    expect(up.body.attachment.name).toBe('invoicegnp.png');
    const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="invoicegnp.png"; filename*=UTF-8''invoicegnp.png`);
  });

  it('cuts a long file name without splitting a character, so the file still downloads', async () => {
    const up = await upload(PNG, `${'a'.repeat(119)}\u{1f600}.png`, 'image/png');
    expect(up.status).toBe(201);
    const { name } = up.body.attachment as { name: string };
    expect([...name].length).toBeLessThanOrEqual(120);
    expect(() => encodeURIComponent(name)).not.toThrow(); // throws on half a surrogate pair
    const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
  });

  it('gives a file the extension of its sniffed type, appended after a name that claims another type', async () => {
    const cases: [Buffer, string, string][] = [
      [Buffer.from('hello'), 'evil.html', 'evil.html.txt'],
      [Buffer.from('@echo off'), 'run.bat', 'run.bat.txt'],
      [Buffer.from('alert(1)'), 'app.js', 'app.js.txt'],
      [Buffer.from('hello'), 'invoice\u202efdp.hta', 'invoicefdp.hta.txt'],
      [Buffer.from('<svg/>'), 'logo.svg', 'logo.svg.txt'],
      [Buffer.from('hello'), 'README', 'README.txt'],
      [PNG, 'photo.jpg', 'photo.jpg.png'],
      [PDF, 'invoice.html', 'invoice.html.pdf'],
    ];
    for (const [bytes, name, expected] of cases) {
      const up = await upload(bytes, name, 'application/octet-stream');
      expect(up.status).toBe(201);
      expect(up.body.attachment.name).toBe(expected);
      const res = await fetch(`${h.url}${up.body.attachment.url}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(expected)}`);
    }
  });

  it('keeps a name whose extension already fits the sniffed type, in any case', async () => {
    expect((await upload(JPEG, 'holiday.jpeg', 'image/jpeg')).body.attachment.name).toBe('holiday.jpeg');
    expect((await upload(JPEG, 'holiday.JPG', 'image/jpeg')).body.attachment.name).toBe('holiday.JPG');
    expect((await upload(Buffer.from('hi'), 'notes.TXT', 'text/plain')).body.attachment.name).toBe('notes.TXT');
    expect((await upload(WEBM, 'voice-2025-03-02T10-15-04-230Z.webm', 'audio/webm')).body.attachment.name).toBe('voice-2025-03-02T10-15-04-230Z.webm');
  });

  it('keeps the type extension when it cuts a long name', async () => {
    const up = await upload(Buffer.from('hi'), `${'a'.repeat(200)}.html`, 'text/plain');
    expect(up.body.attachment.name).toBe(`${'a'.repeat(116)}.txt`);
  });

  it('serves a file stored before names followed the type under a name with the right extension', async () => {
    const up = await upload(Buffer.from('<script>alert(1)</script>'), 'page.txt', 'text/plain');
    const old = { ...(await h.server.store.getFile(up.body.attachment.id))!, id: newId(), name: 'pa\u202eloh.html' };
    await h.server.store.insertFile(old);
    const res = await fetch(`${h.url}/v1/files/${old.id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="paloh.html.txt"; filename*=UTF-8''paloh.html.txt`);
  });

  it('refuses uploads without credentials, and non-multipart bodies', async () => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'a.png');
    expect((await fetch(`${h.url}/v1/uploads`, { method: 'POST', body: form })).status).toBe(401);
    const json = await fetch(`${h.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${v.session.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).error.code).toBe('bad_request');
  });

  describe('malformed multipart bodies are refused with bad_request', () => {
    async function post(contentType: string, body: string) {
      const res = await fetch(`${h.url}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${v.session.token}`, 'content-type': contentType },
        body,
      });
      return { status: res.status, body: (await res.json()) as any };
    }
    const part = (field: string, name?: string) =>
      `--XyZ\r\ncontent-disposition: form-data; name="${field}"${name ? `; filename="${name}"` : ''}\r\n` +
      `content-type: text/plain\r\n\r\nhello\r\n`;

    it('answers 400 to multipart/form-data without a boundary', async () => {
      const res = await post('multipart/form-data', `${part('file', 'a.txt')}--XyZ--\r\n`);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'bad_request', message: expect.stringMatching(/boundary/) });
    });

    it('answers 400 to a body without a file part', async () => {
      const res = await post('multipart/form-data; boundary=XyZ', `${part('durationMs')}--XyZ--\r\n`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    });

    it('answers 400 to an empty multipart body', async () => {
      const res = await post('multipart/form-data; boundary=XyZ', '');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    });

    it('answers 400 to a body cut off inside the file part, and stores nothing', async () => {
      const before = await countFiles();
      const res = await post('multipart/form-data; boundary=XyZ', part('file', 'a.txt').slice(0, -4));
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'bad_request', message: expect.stringMatching(/multipart/) });
      expect(await countFiles()).toBe(before);
    });

    it('answers 400 to a body cut off inside the part headers', async () => {
      const res = await post('multipart/form-data; boundary=XyZ', '--XyZ\r\ncontent-disposition: form-data; na');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    });
  });

  it('carries attachments in a message, and lets the agent attach its own upload', async () => {
    const photo = (await upload(PNG, 'dashboard.png', 'image/png')).body.attachment;
    const threadId = newId();
    const ack = await send(v, threadId, '', { create: true, attachmentIds: [photo.id] });
    expect(ack.ok).toBe(true);
    expect(ack.message.attachments).toEqual([photo]);

    const agentUpload = await upload(PNG, 'answer.png', 'image/png', API_KEY);
    const live = v.next('message');
    const posted = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'see this', attachments: [agentUpload.body.attachment.id] });
    expect(posted.status).toBe(201);
    const msg = await live;
    const [attachment] = msg.attachments;
    expect(attachment?.id).toBe(agentUpload.body.attachment.id);
    // The visitor can download the agent's image because it is in the visitor's thread.
    const res = await fetch(`${h.url}${attachment?.url}`, { headers: { authorization: `Bearer ${v.session.token}` } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(PNG.length);
  });
});
