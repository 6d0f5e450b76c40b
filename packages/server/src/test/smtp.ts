/**
 * A brand's mail relay for tests: a real `smtp-server` on loopback that keeps every email it takes
 * (parsed by mailparser, with its SMTP envelope), and can be told to refuse the next ones.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  raw: Buffer;
  mail: ParsedMail;
  envelope: { from: string; to: string[] };
}

export interface Relay {
  port: number;
  url: string;
  received: Received[];
  /** The next `times` emails are refused at DATA with this reply code (e.g. 451, 550). */
  refuse(code: number, times?: number): void;
  close(): Promise<void>;
}

export async function startRelay(): Promise<Relay> {
  const received: Received[] = [];
  let refusal: { code: number; left: number } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusal && refusal.left > 0) {
          refusal.left -= 1;
          const err = Object.assign(new Error(refusal.code >= 500 ? '5.1.1 mailbox unavailable' : '4.3.0 try again later'), { responseCode: refusal.code });
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            const from = session.envelope.mailFrom;
            received.push({ raw, mail, envelope: { from: from === false ? '' : from.address, to: session.envelope.rcptTo.map((r) => r.address) } });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse(code, times = 1) {
      refusal = { code, left: times };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP port free on loopback right now (for listeners whose port must be configured up front). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
