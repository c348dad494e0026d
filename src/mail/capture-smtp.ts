import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../logger.js';

/** Emails kept on disk; older ones are deleted as new ones arrive. */
const KEEP_FILES = 500;
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export interface CaptureSmtpOptions {
  port: number;
  /** Where each captured email is written as an .eml file (see capturedMailDir). */
  dir: string;
  logger: Logger;
}

/** Where the service's capture server keeps its emails: under DATA_DIR. */
export function capturedMailDir(dataDir: string): string {
  return join(dataDir, 'captured-mail');
}

/**
 * A local SMTP server that accepts every email (any login, any recipient) and keeps it as an .eml
 * file instead of delivering it: senders pointed at it let you try campaigns, the compose form and
 * tracking without a real mailbox. Loopback only, so nothing outside this machine can use it.
 */
export class CaptureSmtpServer {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  /** Starts it; null (and a warning) when the port is taken, so that a busy port never stops start-up. */
  static async start(options: CaptureSmtpOptions): Promise<CaptureSmtpServer | null> {
    const { dir, logger } = options;
    mkdirSync(dir, { recursive: true });
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      size: MAX_MESSAGE_BYTES,
      logger: false,
      // stopping waits this long for clients still connected (pooled transports), then closes them
      closeTimeout: 2_000,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'capture' }),
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (stream.sizeExceeded)
            return callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          const file = keepEmail(dir, Buffer.concat(chunks));
          logger.info(
            {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              to: session.envelope.rcptTo.map((r) => r.address),
              file,
            },
            'capture SMTP: kept an email instead of delivering it',
          );
          callback();
        });
      },
    });
    const started = await new Promise<boolean>((resolve) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        logger.warn(
          { port: options.port, err: error.message },
          'capture SMTP server not started (set CAPTURE_SMTP_PORT to another port, or 0 to turn it off)',
        );
        resolve(false);
      });
      server.listen(options.port, '127.0.0.1', () => resolve(true));
    });
    if (!started) return null;
    server.on('error', (error: Error) => logger.warn({ err: error.message }, 'capture SMTP server error'));
    logger.info({ port: options.port, dir }, 'capture SMTP server listening on 127.0.0.1');
    return new CaptureSmtpServer(server, options.port);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes one email as an .eml file named by when it came, and deletes the oldest beyond KEEP_FILES. */
function keepEmail(dir: string, raw: Buffer): string {
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
  writeFileSync(join(dir, name), raw);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  for (const old of files.slice(0, Math.max(0, files.length - KEEP_FILES)))
    rmSync(join(dir, old), { force: true });
  return join(dir, name);
}

/** Whether something already answers on 127.0.0.1:port (say, the capture server of `npm start`). */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
