import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS, httpStatusOf, type WireError } from '@threadline/protocol';
import { ServerError } from '../errors.js';

function send(reply: FastifyReply, error: WireError): FastifyReply {
  if (error.retryAfterMs !== undefined) reply.header('retry-after', Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  return reply.status(httpStatusOf(error.code)).send({ error });
}

/**
 * Every failure leaves as `{ error: { code, message } }` with the status of its code; validation
 * errors name the field; nothing unexpected leaks a stack trace.
 */
export function errorHandler(err: FastifyError | ServerError | Record<string, unknown>, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof ServerError) return send(reply, err.toWire());
  const e = err as FastifyError & { retryAfterMs?: number };
  if (e.validation) {
    // Fastify's message already names the part and field, e.g. "body/text must NOT have more than 5000 characters".
    // Message text over the limit is `payload_too_large`, as on the socket (docs/protocol.md, Error codes).
    const tooLarge = e.validationContext === 'body' && e.validation.some((v) => v.keyword === 'maxLength' && v.instancePath === '/text' && v.params?.limit === LIMITS.maxTextLength);
    return send(reply, { code: tooLarge ? 'payload_too_large' : 'bad_request', message: e.message });
  }
  if (e.statusCode === 429 || e.code === 'rate_limited') {
    return send(reply, { code: 'rate_limited', message: String(e.message ?? 'too many requests'), retryAfterMs: Number(e.retryAfterMs ?? 1000) });
  }
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return send(reply, { code: 'payload_too_large', message: 'the request body is larger than this server accepts' });
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return send(reply, { code: 'bad_request', message: e.message });
  }
  req.log.error({ err }, 'request failed');
  return send(reply, { code: 'internal', message: 'internal error' });
}
