import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, startServer, type Harness, type Visitor } from '../test/harness.js';

// Voice clips recorded by Chromium 156's MediaRecorder: what the widget uploads. The sliced one
// (fake microphone, `start(100)`) has a Segment of unknown size, as a recording in progress does.
const fixture = (name: string) => fs.readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
const CHROMIUM_WEBM = fixture('voice-chromium.webm');
const CHROMIUM_WEBM_SLICED = fixture('voice-chromium-sliced.webm');
const CHROMIUM_MP4 = fixture('voice-chromium.m4a');

/** An MPEG-1 Layer III frame: 128 kbit/s, 44.1 kHz, no padding, so 417 bytes long; silent (zeroed side info). */
const MP3_FRAME = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);
const MP3 = Buffer.concat(Array.from({ length: 5 }, () => MP3_FRAME));
/** An ID3v2.3 tag of 10 bytes of payload (syncsafe size), as taggers put in front of the frames. */
const ID3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10)]);
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.domain)</script></body></html>');

/** An Ogg page: version 0, the given header-type flags, one segment holding `packet`. */
function oggPage(flags: number, packet: Buffer): Buffer {
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeUInt32LE(0x1234, 14); // stream serial number
  header[26] = 1; // one lacing value
  return Buffer.concat([header, Buffer.from([packet.length]), packet]);
}
const OPUS_HEAD = Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
const OPUS_TAGS = Buffer.concat([Buffer.from('OpusTags'), Buffer.from([4, 0, 0, 0]), Buffer.from('test'), Buffer.alloc(4)]);
const OGG_OPUS = Buffer.concat([oggPage(0x02, OPUS_HEAD), oggPage(0x00, OPUS_TAGS)]);
/** A Vorbis identification header (30 bytes): the first packet of an Ogg Vorbis file. */
const VORBIS_ID = Buffer.concat([Buffer.from('\x01vorbis', 'latin1'), Buffer.from([0, 0, 0, 0, 1, 0x44, 0xac, 0, 0, 0, 0, 0, 0, 0, 0xfa, 0, 0, 0, 0, 0, 0, 0xb8, 1])]);

function ftyp(size: number): Buffer {
  const box = Buffer.concat([Buffer.alloc(4), Buffer.from('ftypisom'), Buffer.alloc(4), Buffer.from('isommp41')]);
  box.writeUInt32BE(size, 0);
  return box;
}

let h: Harness;
let v: Visitor;

async function upload(bytes: Buffer, name: string, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${v.session.token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  h = await startServer();
  v = await connect(h.url);
});
afterAll(async () => {
  v.close();
  await h.close();
});

describe('audio is recognised by its structure, not by a short signature', () => {
  it('accepts a voice clip recorded by Chromium as audio/webm', async () => {
    for (const clip of [CHROMIUM_WEBM, CHROMIUM_WEBM_SLICED]) {
      const up = await upload(clip, 'voice.webm', 'audio/webm');
      expect(up.status).toBe(201);
      expect(up.body.attachment.mime).toBe('audio/webm');
    }
  });

  it('accepts an MP4 voice clip recorded by Chromium as audio/mp4', async () => {
    const up = await upload(CHROMIUM_MP4, 'voice.m4a', 'audio/mp4');
    expect(up.status).toBe(201);
    expect(up.body.attachment.mime).toBe('audio/mp4');
  });

  it('accepts MPEG audio made of consecutive frames, with or without an ID3v2 tag in front', async () => {
    expect((await upload(MP3, 'song.mp3', 'audio/mpeg')).body.attachment?.mime).toBe('audio/mpeg');
    expect((await upload(Buffer.concat([ID3, MP3]), 'tagged.mp3', 'audio/mpeg')).body.attachment?.mime).toBe('audio/mpeg');
  });

  it('accepts an Ogg Opus file as audio/ogg', async () => {
    const up = await upload(OGG_OPUS, 'voice.opus', 'audio/ogg');
    expect(up.status).toBe(201);
    expect(up.body.attachment.mime).toBe('audio/ogg');
  });

  it('refuses a ZIP behind a 4-byte MPEG frame header', async () => {
    const up = await upload(Buffer.concat([MP3_FRAME.subarray(0, 4), ZIP]), 'song.mp3', 'audio/mpeg');
    expect(up.status).toBe(415);
    expect(up.body.error.code).toBe('unsupported_media_type');
  });

  it('refuses HTML behind a UTF-16 LE byte order mark, which looks like an MPEG frame sync', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' \n' + HTML.toString(), 'utf16le')]);
    expect((await upload(utf16, 'page.mp3')).status).toBe(415);
    const bare = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HTML.toString(), 'utf16le')]);
    expect((await upload(bare, 'page.mp3')).status).toBe(415);
  });

  it('refuses one or two valid MPEG frames followed by something else', async () => {
    expect((await upload(Buffer.concat([MP3_FRAME, MP3_FRAME, HTML]), 'two.mp3')).status).toBe(415);
    expect((await upload(Buffer.concat([ID3, MP3_FRAME, ZIP]), 'tagged.mp3')).status).toBe(415);
  });

  it('refuses an ID3v2 tag with nothing valid behind it', async () => {
    expect((await upload(Buffer.concat([ID3, HTML]), 'tag.mp3')).status).toBe(415);
    const oversized = Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]), HTML]);
    expect((await upload(oversized, 'tag.mp3')).status).toBe(415);
  });

  it('refuses a WebM EBML header that is not followed by a segment', async () => {
    const header = CHROMIUM_WEBM.subarray(0, 0x24); // EBML header with DocType "webm", up to the Segment
    expect((await upload(Buffer.concat([header, HTML]), 'voice.webm', 'audio/webm')).status).toBe(415);
  });

  it('refuses an Ogg page that does not hold together', async () => {
    // A well-formed first page, then HTML where the next page should start.
    expect((await upload(Buffer.concat([oggPage(0x02, VORBIS_ID), HTML]), 'voice.ogg')).status).toBe(415);
    // Capture pattern and codec id where a sniffer looks, but version 1, no lacing values, no first-page flag.
    const forged = Buffer.concat([Buffer.from('OggS'), Buffer.from([1]), Buffer.alloc(23), VORBIS_ID, HTML]);
    expect((await upload(forged, 'voice.ogg')).status).toBe(415);
  });

  it('refuses an MP4 ftyp box of an impossible size, or one followed by something that is not a box', async () => {
    expect((await upload(Buffer.concat([ftyp(0), HTML]), 'clip.m4a')).status).toBe(415);
    expect((await upload(Buffer.concat([ftyp(0x7fffffff), HTML]), 'clip.m4a')).status).toBe(415);
    expect((await upload(Buffer.concat([ftyp(24), HTML]), 'clip.m4a')).status).toBe(415);
  });
});
