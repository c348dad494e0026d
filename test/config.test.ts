import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const SECRETS = { TRACKING_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: 'ab'.repeat(32) };
const external = (env: Record<string, string>) =>
  loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', ...SECRETS, ...env });

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = external({});
    expect(config).toMatchObject({
      port: 4000,
      publicUrl: 'http://localhost:4000',
      retentionDays: 90,
      trustProxy: 0,
      logLevel: 'info',
      role: 'all',
    });
    expect(config.geoipDbPaths).toHaveLength(2);
    expect(config.geoipDbPaths[0]).toMatch(/dbip-city-ipv4\.mmdb$/);
    expect(external({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(external({ PUBLIC_URL: 'https://t.example.com/' }).publicUrl).toBe('https://t.example.com');
  });

  it.each([
    ['PORT', 'abc', /PORT is invalid: expected a whole number from 0 to 65535/],
    ['PORT', '70000', /PORT is invalid: expected a whole number from 0 to 65535/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL is invalid: expected an http/],
    ['PUBLIC_URL', 'not a url', /PUBLIC_URL is invalid/],
    ['RETENTION_DAYS', '0', /RETENTION_DAYS is invalid/],
    ['TRUST_PROXY', '-1', /TRUST_PROXY is invalid/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL is invalid: expected one of fatal, error/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL is invalid: expected a postgres:\/\/ URL/],
    ['TRACKING_SECRET', 'short', /TRACKING_SECRET is invalid: each secret must be at least 32 characters/],
    ['ENCRYPTION_KEY', 'abc', /ENCRYPTION_KEY is invalid: expected 32 bytes/],
    ['GEOIP_DB', '/nonexistent.mmdb', /GEOIP_DB is invalid: no file at/],
    ['DNS_SERVERS', 'dns.google', /DNS_SERVERS is invalid: "dns.google" is not an IP address/],
    ['ACCOUNT_SEND_QUOTA_PER_DAY', '0', /ACCOUNT_SEND_QUOTA_PER_DAY is invalid/],
  ])('%s=%s stops start-up with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      external({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('takes DNS servers as addresses with optional ports', () => {
    expect(external({}).dnsServers).toBeNull();
    expect(external({ DNS_SERVERS: '1.1.1.1, 127.0.0.1:5353,[::1]:53,::1' }).dnsServers).toEqual([
      '1.1.1.1',
      '127.0.0.1:5353',
      '[::1]:53',
      '::1',
    ]);
  });

  it('requires the secrets with DATABASE_URL, since generated ones would differ between machines', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://u@localhost/db', ENCRYPTION_KEY: SECRETS.ENCRYPTION_KEY }),
    ).toThrow(/TRACKING_SECRET is not set: it is required with DATABASE_URL/);
  });

  it('accepts a comma-separated list of tracking secrets for rotation', () => {
    expect(
      external({ TRACKING_SECRET: `${'a'.repeat(32)}, ${'b'.repeat(32)}` }).trackingSecrets,
    ).toHaveLength(2);
  });

  it('generates the embedded default’s secrets once, private to the owner, and keeps them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mailtrace-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.databaseUrl).toBeNull();
    expect(first.encryptionKey.length).toBe(32);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(second.trackingSecrets[0].equals(first.trackingSecrets[0])).toBe(true);
    const file = join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual([
      'trackingSecret',
      'encryptionKey',
      'embeddedPgPassword',
    ]);
  });
});
