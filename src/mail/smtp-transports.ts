import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Logger } from '../logger.js';
import type { Sender } from '../senders/sender.entity.js';
import { describeSmtpError } from './smtp-errors.js';
import type { SmtpHostGuard } from './smtp-host-guard.js';

interface CachedTransport {
  version: number;
  transporter: Transporter<SMTPPool.SentMessageInfo>;
}

export interface SmtpTransportOptions {
  maxConnections: number;
  /** Connection, greeting and socket timeouts, in ms. */
  timeoutMs: number;
}

/** Network failures say only that: their codes would map which internal ports are open. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'EDNS', 'ECONNRESET']);

function smtpOptions(sender: Sender, address: string, password: string, options: SmtpTransportOptions) {
  return {
    // the checked address itself; TLS still verifies the certificate against the host name
    host: address,
    tls: { servername: sender.smtpHost },
    port: sender.smtpPort,
    secure: sender.smtpSecure,
    auth: { user: sender.smtpUser, pass: password },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs * 3,
  };
}

/**
 * Pooled nodemailer transports, one per sender, rebuilt when the sender changes (its updatedAt is
 * the version) and closed when it is deleted. A connection pool is the only state a worker keeps.
 */
export class SmtpTransports {
  private readonly cache = new Map<string, CachedTransport>();

  constructor(
    private readonly guard: SmtpHostGuard,
    private readonly logger: Logger,
    private readonly options: SmtpTransportOptions = { maxConnections: 5, timeoutMs: 10_000 },
  ) {}

  /** The sender's pool; BAD_USER_INPUT when its host now leads inside (see SmtpHostGuard). */
  async get(sender: Sender, password: string): Promise<Transporter<SMTPPool.SentMessageInfo>> {
    const version = sender.updatedAt.getTime();
    const cached = this.cache.get(sender.id);
    if (cached && cached.version === version) return cached.transporter;
    const address = await this.guard.resolve(sender.smtpHost, sender.smtpPort);
    if (this.cache.has(sender.id)) this.close(sender.id);
    const transporter = nodemailer.createTransport({
      ...smtpOptions(sender, address, password, this.options),
      pool: true,
      maxConnections: this.options.maxConnections,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    this.cache.set(sender.id, { version, transporter });
    this.logger.debug({ senderId: sender.id, host: sender.smtpHost }, 'opened SMTP pool');
    return transporter;
  }

  close(senderId: string): void {
    const cached = this.cache.get(senderId);
    if (!cached) return;
    this.cache.delete(senderId);
    cached.transporter.close();
  }

  closeAll(): void {
    for (const senderId of [...this.cache.keys()]) this.close(senderId);
  }

  /** null when the server accepted the connection and login, else what went wrong (secrets removed). */
  async verify(sender: Sender, password: string): Promise<string | null> {
    let address: string;
    try {
      address = await this.guard.resolve(sender.smtpHost, sender.smtpPort);
    } catch (error) {
      return (error as Error).message;
    }
    const transporter = nodemailer.createTransport(smtpOptions(sender, address, password, this.options));
    try {
      await transporter.verify();
      return null;
    } catch (error) {
      const { code, responseCode } = error as { code?: string; responseCode?: number };
      if (responseCode === undefined && code && NETWORK_ERRORS.has(code)) {
        return `could not connect to ${sender.smtpHost}:${sender.smtpPort}`;
      }
      return describeSmtpError(error, [password]);
    } finally {
      transporter.close();
    }
  }
}
