/**
 * A real SMTP server on loopback (smtp-server, no TLS, auth optional) that
 * parses every received message with mailparser. It can stop and restart on
 * the same port, to test what happens while SMTP is down.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One received message: the SMTP envelope plus the parsed mail. */
export interface SinkMessage {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
}

/** A running (or stopped) SMTP sink. */
export interface SmtpSink {
  /** Port it listens on (kept across restarts). */
  port: number;
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: SinkMessage[];
  /** Resolve with the messages once at least `n` were received; reject after `timeoutMs`. */
  waitForMessages(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Stop listening (connections are closed). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  restart(): Promise<void>;
}

function createServer(onMessage: (m: SinkMessage) => void): SMTPServer {
  return new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      simpleParser(stream)
        .then((mail) => {
          onMessage({ envelope, mail });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
}

function listen(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

/** Start an SMTP sink on 127.0.0.1 (port 0 = any free port). */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const events = new EventEmitter();
  const messages: SinkMessage[] = [];
  const onMessage = (m: SinkMessage): void => {
    messages.push(m);
    events.emit('message');
  };
  let server: SMTPServer | null = createServer(onMessage);
  const actual = await listen(server, port);

  const sink: SmtpSink = {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    messages,
    waitForMessages(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (messages.length < n) return false;
          cleanup();
          resolve(messages.slice());
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`SMTP sink: expected ${n} messages within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('message', check);
        };
        if (!check()) events.on('message', check);
      });
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async restart() {
      if (server) return;
      server = createServer(onMessage);
      await listen(server, actual);
    },
  };
  return sink;
}
