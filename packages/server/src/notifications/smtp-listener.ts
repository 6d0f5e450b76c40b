import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { ServerError } from '../errors.js';
import { replyTokenOf, type InboundMail } from './inbound.js';

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An SMTP refusal: smtp-server answers with the error's `responseCode` and message. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The SMTP answer to what `InboundMail.receive` threw. */
function answerOf(err: unknown): Error {
  if (err instanceof ServerError) {
    switch (err.code) {
      case 'reply_token_invalid':
        return smtpError(550, '5.7.1 This reply address is not valid (expired, or not ours)');
      case 'payload_too_large':
        return smtpError(552, `5.3.4 ${err.message}`);
      case 'notifications_off':
        return smtpError(550, '5.7.1 Replies by email are off');
      case 'bad_request':
        return smtpError(554, `5.6.0 ${err.message}`);
      default:
        break;
    }
  }
  // Ours, not the sender's: the sending server keeps the mail and tries again later.
  return smtpError(451, '4.3.0 Temporary failure, try again later');
}

/**
 * The inbound SMTP listener for replies (`THREADLINE_SMTP_INBOUND_PORT`): the MX of the inbound
 * domain, or a relay behind it, delivers `reply+<token>@<domain>` here. Plain SMTP without AUTH
 * or STARTTLS: meant for loopback behind the host's MTA, or a private network behind a mail
 * gateway that handles TLS (docs/notifications.md). Recipients that are not reply addresses of
 * the inbound domain are refused at RCPT TO; the size limit is announced in EHLO (SIZE) and
 * enforced while reading.
 */
export class SmtpListener {
  readonly #server: SMTPServer;
  #port = 0;

  constructor(
    private readonly o: { inbound: InboundMail; inboundDomain: string; maxBytes: number; log: Logger },
  ) {
    this.#server = new SMTPServer({
      name: o.inboundDomain,
      banner: 'Threadline reply listener',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: o.maxBytes,
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        if (!replyTokenOf(address.address, o.inboundDomain)) return callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox`));
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            o.log.warn({ limit: o.maxBytes }, 'inbound email refused: too large');
            return callback(smtpError(552, `5.3.4 The email is larger than ${o.maxBytes} bytes`));
          }
          const mailFrom = session.envelope.mailFrom;
          const envelope = {
            mailFrom: mailFrom === false ? '' : (mailFrom?.address ?? ''),
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          };
          o.inbound.receive(Buffer.concat(chunks), envelope).then(
            () => callback(null, 'Message accepted'),
            (err: unknown) => {
              if (!(err instanceof ServerError)) o.log.error({ err }, 'inbound email failed');
              callback(answerOf(err));
            },
          );
        });
      },
    });
    this.#server.on('error', (err) => o.log.warn({ err }, 'inbound SMTP listener error'));
  }

  get port(): number {
    return this.#port;
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#port) return;
    this.#port = 0;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
