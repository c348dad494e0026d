import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpPeerOptions {
  /** user -> password the peer accepts; any login is refused otherwise. */
  users?: Record<string, string>;
  /** Decides the reply to RCPT TO: null accepts; otherwise an SMTP code and message. */
  onRecipient?: (address: string) => { code: number; message: string } | null;
}

export interface SmtpPeerControl {
  /** While held, complete messages get no reply (they are not accepted, and not recorded). */
  hold(): void;
  /** Stops holding; held messages are dropped unanswered (the tests release after killing their client). */
  release(): void;
  /** Messages waiting for a reply because of hold(). */
  held(): number;
}

export interface SmtpPeer extends SmtpPeerControl {
  port: number;
  /** Messages the peer accepted (answered 250 to), in order. */
  received: ReceivedMail[];
  stop(): Promise<void>;
}

/** A real SMTP server on loopback (npm smtp-server): plain connection, AUTH PLAIN/LOGIN, no TLS. */
export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const users = options.users ?? { 'sender@example.com': 'app-password' };
  const received: ReceivedMail[] = [];
  let holding = false;
  let waiting: { accept: () => void }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error('Invalid login: 535 5.7.8 bad credentials'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const reply = options.onRecipient?.(address.address);
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          parsed: await simpleParser(raw),
          raw,
        };
        const accept = () => {
          received.push(mail);
          callback();
        };
        if (holding) waiting.push({ accept });
        else accept();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as { port: number };
  return {
    port,
    received,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      waiting = [];
    },
    held: () => waiting.length,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
