import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code } = error as { code?: unknown };
  return { type: error.name, message: error.message, code, stack: error.stack };
}

/** JSON lines on stdout; anything that looks like a credential is redacted wherever it appears. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'mailtrace' },
    // Errors from pg carry their whole client; log what helps and nothing that could hold a secret.
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        'password',
        '*.password',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
