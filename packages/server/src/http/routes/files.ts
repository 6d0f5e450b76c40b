import type { FastifyInstance } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { v7 as uuidv7 } from 'uuid';
import { unattachedUploadsOf } from '../../config.js';
import { ServerError, notFound } from '../../errors.js';
import { fileNameFor } from '../../files/file-name.js';
import { sniffHead, type SniffedFile } from '../../files/sniff.js';
import { inspectUpload } from '../../files/upload-inspector.js';
import { toAttachment } from '../../store/rows.js';
import { requireCaller } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { attachmentSchema, errorSchema } from '../schemas.js';

/** Voice clips longer than this are refused by the recorder anyway; the claim is clamped to it. */
const MAX_DURATION_MS = 10 * 60 * 1000;

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.round(n / 1024)} KB`;
}

/**
 * What reading the multipart body failed with, as a client error. Busboy reports a body it cannot
 * parse (no boundary in Content-Type, cut off, broken part headers) as a plain `Error` without a
 * status; left alone that was a 500 with a logged stack trace for the client's own mistake.
 */
function multipartError(err: unknown, maxUploadBytes: number): unknown {
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (err instanceof ServerError || (e.statusCode && e.code !== 'FST_REQ_FILE_TOO_LARGE')) return err;
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxUploadBytes);
  if (/boundary/i.test(String(e.message))) return new ServerError('bad_request', 'multipart/form-data needs a boundary parameter in its Content-Type');
  return new ServerError('bad_request', `the multipart body is malformed (${String(e.message ?? err)})`);
}

function tooLarge(maxUploadBytes: number): ServerError {
  return new ServerError('payload_too_large', `the file is larger than the ${formatBytes(maxUploadBytes)} limit`);
}

/**
 * The bytes of the file part as they arrive; what reading the body fails with (cut off, malformed)
 * becomes a client error here, so that errors of the store stay what they are.
 */
async function* multipartBytes(file: AsyncIterable<Uint8Array>, maxUploadBytes: number): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (err) {
    throw multipartError(err, maxUploadBytes);
  }
}

export function fileRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store, files, config } = deps;
  const unattached = unattachedUploadsOf(config);

  app.post<{ Querystring: { durationMs?: number } }>(
    '/v1/uploads',
    {
      schema: {
        tags: ['files'],
        summary: 'Upload a file (multipart field `file`) before sending the message that refers to it',
        description:
          'Authorised by a visitor token or an API key. The type is decided by sniffing the bytes; allowed: JPEG, PNG, GIF, WebP images; WebM, Ogg, MP4, MPEG audio; PDF; plain text. A field or query `durationMs` records a voice clip length. A visitor with too many uploads not yet sent in a message (files or bytes) gets 413 `upload_quota_exceeded`; uploads no message uses are deleted after a grace period.',
        security: [{ apiKey: [] }, { visitorToken: [] }],
        querystring: { type: 'object', properties: { durationMs: { type: 'integer', minimum: 0 } } },
        response: {
          201: { type: 'object', properties: { attachment: attachmentSchema } },
          400: errorSchema,
          401: errorSchema,
          413: errorSchema, // payload_too_large, upload_quota_exceeded
          415: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const caller = await requireCaller(req, deps);
      const appId = caller.kind === 'app' ? caller.app.id : caller.principal.appId;
      const visitorId = caller.kind === 'visitor' ? caller.principal.visitorId : null;
      await deps.uploadLimiter.take(visitorId ?? `app:${appId}`);
      if (!req.isMultipart()) throw new ServerError('bad_request', 'send the file as multipart/form-data in a field named "file"');
      let part: MultipartFile | undefined;
      try {
        part = await req.file({ limits: { fileSize: config.maxUploadBytes, files: 1 } });
        if (!part || part.fieldname !== 'file') throw new ServerError('bad_request', 'send the file in a field named "file"');
      } catch (err) {
        throw multipartError(err, config.maxUploadBytes);
      }
      const { file, mimetype } = part;
      const budget = { files: unattached.maxFilesPerVisitor, bytes: unattached.maxBytesPerVisitor };
      const overBudget = () =>
        new ServerError(
          'upload_quota_exceeded',
          `too many uploads not yet sent in a message (at most ${budget.files} files or ${formatBytes(budget.bytes)}); send them first`,
        );
      const id = uuidv7();
      let checked: { size: number; sniffed: SniffedFile } | undefined;
      // The bytes stream into the store as they arrive. What is decided on the whole file (the size
      // cap, emptiness, the type, the visitor's budget) is decided after the last byte, in the same
      // order as when uploads were read whole, and a refusal there reaches the store before it
      // makes the file visible, so a refused upload leaves nothing behind.
      await files.put(
        id,
        inspectUpload(multipartBytes(file, config.maxUploadBytes), async (facts) => {
          // Busboy stops at `fileSize` and marks the stream truncated; the rest of the part is skipped.
          if (file.truncated) throw tooLarge(config.maxUploadBytes);
          if (facts.size === 0) throw new ServerError('bad_request', 'the file is empty');
          const sniffed = await sniffHead(facts, mimetype);
          if (visitorId !== null) {
            const used = await store.unattachedUploads(visitorId);
            if (used.files + 1 > budget.files || used.bytes + facts.size > budget.bytes) throw overBudget();
          }
          checked = { size: facts.size, sniffed };
        }),
      );
      const { size, sniffed } = checked!;
      const fieldDuration = (part.fields.durationMs as { value?: unknown } | undefined)?.value;
      const claimedDuration = Number(fieldDuration ?? req.query.durationMs);
      const row = {
        id,
        app_id: appId,
        visitor_id: visitorId,
        thread_id: null,
        name: fileNameFor(part.filename, sniffed.mime),
        mime: sniffed.mime,
        size,
        storage_key: id,
        width: sniffed.width ?? null,
        height: sniffed.height ?? null,
        duration_ms:
          sniffed.category === 'audio' && Number.isFinite(claimedDuration) && claimedDuration > 0
            ? Math.min(Math.round(claimedDuration), MAX_DURATION_MS)
            : null,
        created_at: Date.now(),
      };
      // Bytes before the row: the collector works from rows, so it never sees a row whose bytes are
      // still on their way. The budget is checked again with the insert, in one transaction, for
      // parallel uploads of one visitor; one that loses that race takes its bytes back.
      let stored = false;
      try {
        stored = await store.insertFileWithinBudget(row, budget);
      } finally {
        if (!stored) await files.delete(id);
      }
      if (!stored) throw overBudget();
      return reply.status(201).send({ attachment: toAttachment(row) });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { exp?: number; sig?: string } }>(
    '/v1/files/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'Download a file (Authorization header: visitor token or API key; or a signed link from an email)',
        description:
          'Images are served inline, everything else as an attachment; always with `X-Content-Type-Options: nosniff` and a sandboxing CSP. A link from an email notification carries `exp` and `sig` instead of credentials: it serves that file alone until `exp`, and answers `not_found` after.',
        security: [{ apiKey: [] }, { visitorToken: [] }],
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[\\w-]{1,64}$' } }, required: ['id'] },
        querystring: { type: 'object', properties: { exp: { type: 'integer', minimum: 0 }, sig: { type: 'string', pattern: '^[0-9a-f]{1,64}$' } } },
      },
    },
    async (req, reply) => {
      let file;
      if (req.query.sig !== undefined || req.query.exp !== undefined) {
        // A link signed for an email: the signature is the permission, for this file until `exp`.
        const { exp, sig } = req.query;
        const valid = exp !== undefined && sig !== undefined && deps.signer.fileLinkValid(req.params.id, exp, sig, Date.now());
        file = valid ? await store.getFile(req.params.id) : undefined;
        if (!file) throw notFound('file');
      } else {
        const caller = await requireCaller(req, deps);
        file = await store.getFile(req.params.id);
        const allowed =
          file && (caller.kind === 'app' ? file.app_id === caller.app.id : await store.canVisitorReadFile(caller.principal, file));
        if (!file || !allowed) throw notFound('file');
      }
      const stream = await files.get(file.storage_key);
      if (!stream) throw notFound('file');
      const inline = file.mime.startsWith('image/');
      // Through fileNameFor again: files stored before names followed the type get a safe name too.
      const encoded = encodeURIComponent(fileNameFor(file.name, file.mime));
      return reply
        .header('content-type', file.mime)
        .header('content-length', Number(file.size))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${encoded}"; filename*=UTF-8''${encoded}`)
        .send(stream);
    },
  );
}
