export interface SmtpFailure {
  /** The server's reply or the network error, with secrets removed. */
  message: string;
  /** 5xx replies will not succeed on retry; everything else (4xx, timeouts, refused) might. */
  permanent: boolean;
  /** A permanent refusal of the recipient address itself (a hard bounce), not of the sender or content. */
  recipientRejected: boolean;
}

interface NodemailerError {
  message?: string;
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

/** Classifies a nodemailer error: SMTP 5xx is permanent, 4xx and network trouble transient. */
export function classifySmtpError(error: unknown, secrets: string[]): SmtpFailure {
  const { responseCode, command } = (error ?? {}) as NodemailerError;
  const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
  return {
    message: describeSmtpError(error, secrets),
    permanent,
    recipientRejected: permanent && (command ?? '').toUpperCase().startsWith('RCPT'),
  };
}

export function describeSmtpError(error: unknown, secrets: string[]): string {
  const { message, code, response } = (error ?? {}) as NodemailerError;
  const text = [code, response ?? message ?? String(error)].filter(Boolean).join(': ');
  return redact(text, secrets).slice(0, 1000);
}

/** Removes each secret, and its base64 form (AUTH PLAIN/LOGIN carry it so), from a server reply. */
function redact(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets.filter((s) => s.length >= 3)) {
    for (const form of [secret, Buffer.from(secret).toString('base64')]) {
      result = result.split(form).join('[redacted]');
    }
  }
  return result;
}
