import { normalizeAddress } from '../mail/address.js';
import type { SenderInput } from './sender.input.js';

/** A sender as it will be stored, password still in clear. */
export interface SenderFields {
  key: string;
  email: string;
  password: string;
  name: string | null;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string;
  maxPerMinute: number | null;
  maxPerDay: number | null;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const DEFAULT_SMTP_HOST = 'smtp.gmail.com';
export const DEFAULT_SMTP_PORT = 465;

/** Checks one sender; returns the normalised fields or every problem found, worded for the user. */
export function validateSender(input: SenderInput): { fields: SenderFields } | { problems: string[] } {
  const problems: string[] = [];
  const key = input.key.trim();
  if (!KEY.test(key))
    problems.push(`key "${key}" must be 1-100 letters, digits or _.@+- and start with a letter or digit`);
  const email = normalizeAddress(input.email);
  if (!email) problems.push(`email "${input.email.trim()}" is not a valid address`);
  if (!input.password) problems.push('password is missing');
  else if (input.password.length > 500) problems.push('password is longer than 500 characters');
  const name = input.name?.trim() || null;
  if (name && name.length > 200) problems.push('name is longer than 200 characters');
  // it becomes the From header's display name: no line breaks or other control characters
  if (name && /\p{Cc}/u.test(name)) problems.push('name must be one line without control characters');
  const smtpHost = input.smtpHost?.trim() || DEFAULT_SMTP_HOST;
  if (!HOSTNAME.test(smtpHost)) problems.push(`smtp_host "${smtpHost}" is not a host name`);
  const smtpPort = input.smtpPort ?? DEFAULT_SMTP_PORT;
  if (!Number.isInteger(smtpPort) || smtpPort < 1 || smtpPort > 65535) {
    problems.push(`smtp_port ${smtpPort} is out of range (1-65535)`);
  }
  const smtpUser = input.smtpUser?.trim() || email || '';
  const maxPerMinute = input.maxPerMinute ?? null;
  const maxPerDay = input.maxPerDay ?? null;
  for (const [name, limit] of [
    ['max_per_minute', maxPerMinute],
    ['max_per_day', maxPerDay],
  ] as const) {
    if (limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > 10_000_000)) {
      problems.push(`${name} ${limit} must be a whole number from 1 to 10000000`);
    }
  }
  if (problems.length > 0 || !email) return { problems };
  return {
    fields: {
      key,
      email,
      password: input.password,
      name,
      smtpHost: smtpHost.toLowerCase(),
      smtpPort,
      smtpSecure: input.smtpSecure ?? smtpPort === 465,
      smtpUser,
      maxPerMinute,
      maxPerDay,
    },
  };
}
