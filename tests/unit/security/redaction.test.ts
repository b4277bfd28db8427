/**
 * Secrets inside real SDK errors are masked by the logger: an openai APIError
 * (its message quotes the key, its headers carry an Authorization echo) and a
 * nodemailer auth error (its `response` quotes the AUTH PLAIN exchange).
 * No secrets are configured on the logger: the patterns alone must catch them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import nodemailer from 'nodemailer';
import OpenAI, { APIError } from 'openai';
import { SMTPServer } from 'smtp-server';
import winston from 'winston';
import { createLogger } from '../../../src/logger';

const API_KEY = 'sk-test-4f9Qw8ZrT2mN7pLx1vB3';
const SMTP_PASS = 'hunter2-Very-Secret-Pass';
const AUTH_PLAIN = Buffer.from(`\0mailer\0${SMTP_PASS}`).toString('base64');

function capturingLogger() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, text: () => lines.join('\n'), lines };
}

async function listen(server: http.Server | SMTPServer): Promise<number> {
  await new Promise<void>((resolve) => (server as http.Server).listen(0, '127.0.0.1', () => resolve()));
  const addr = (server as unknown as { server?: http.Server }).server?.address() ?? (server as http.Server).address();
  return (addr as AddressInfo).port;
}

async function openaiError(): Promise<unknown> {
  // A misbehaving gateway that quotes the key and echoes the request's Authorization header.
  const server = http.createServer((req, reply) => {
    reply.writeHead(401, {
      'content-type': 'application/json',
      authorization: req.headers.authorization ?? '',
      'x-echo-request': `Authorization: ${req.headers.authorization ?? ''}`,
      'x-request-id': 'req_abc123',
    });
    reply.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
  });
  const port = await listen(server);
  try {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    throw new Error('expected the call to fail');
  } catch (err) {
    return err;
  } finally {
    server.close();
  }
}

async function nodemailerError(): Promise<unknown> {
  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN'],
    logger: false,
    onAuth(_auth, _session, callback) {
      // Servers that quote the client's command back put the credentials into err.response.
      callback(new Error(`Authentication failed for AUTH PLAIN ${AUTH_PLAIN}`));
    },
  });
  const port = await listen(smtp);
  try {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: { user: 'mailer', pass: SMTP_PASS } });
    await transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'x', text: 'x' });
    throw new Error('expected the send to fail');
  } catch (err) {
    return err;
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

describe('logger redaction of SDK errors', () => {
  it('masks the API key and the Authorization header of an openai APIError', async () => {
    const err = await openaiError();
    expect(err).toBeInstanceOf(APIError);
    // The raw error does carry the key, in its message and in its headers.
    expect((err as APIError).message).toContain(API_KEY);
    expect((err as APIError).headers?.get('authorization')).toBe(`Bearer ${API_KEY}`);
    const { logger, text } = capturingLogger();
    logger.error('llm request failed', { error: err, attempt: 1 });
    logger.error(err as Error);
    const out = text();
    expect(out).not.toContain(API_KEY);
    expect(out).not.toContain(API_KEY.slice(3, 20));
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('req_abc123'); // non-secret context survives
    expect(out).toContain('401');
  });

  it('masks the AUTH exchange in a nodemailer error response', async () => {
    const err = (await nodemailerError()) as Error & { response?: string; code?: string };
    expect(err.code).toBe('EAUTH');
    expect(err.response).toContain(AUTH_PLAIN);
    const { logger, text } = capturingLogger();
    logger.warn('mail delivery failed', { error: err, smtp: { host: '127.0.0.1', auth: { user: 'mailer', pass: SMTP_PASS } } });
    logger.warn(err);
    const out = text();
    expect(out).not.toContain(AUTH_PLAIN);
    expect(out).not.toContain(SMTP_PASS);
    expect(out).toContain('EAUTH');
    expect(out).toMatch(/AUTH PLAIN \[REDACTED\]/);
  });

  it('masks Authorization headers and keys in plain objects and URLs', () => {
    const { logger, text } = capturingLogger();
    logger.info('request', {
      headers: { Authorization: 'Bearer abcdefghijklmnop', 'X-Api-Key': 'k-123456789' },
      url: 'https://user:pw-123456@example.test/x?api_key=zzz123456',
      nested: { deeper: { password: 'p@ss-98765' } },
    });
    const out = text();
    for (const secret of ['abcdefghijklmnop', 'k-123456789', 'pw-123456', 'zzz123456', 'p@ss-98765']) expect(out).not.toContain(secret);
  });
});
