import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CAPTURE_SMTP_PORT } from '../config.js';
import { Sender } from '../senders/sender.entity.js';
import type { Services } from '../services.js';

/** Where the demo account's key is kept (under DATA_DIR, beside secrets.json), so every start can show it. */
const DEMO_FILE = 'demo-account.json';
/** The demo sender's key: every email it sends goes to the local capture SMTP server. */
export const DEMO_SENDER_KEY = 'capture';

export interface DemoAccount {
  accountId: string;
  apiKey: string;
}

/** The demo account kept under `dataDir`, if its key still works (the account may have been deleted). */
export async function loadDemoAccount(services: Services, dataDir: string): Promise<DemoAccount | null> {
  const file = join(dataDir, DEMO_FILE);
  if (!existsSync(file)) return null;
  let stored: DemoAccount;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as DemoAccount;
  } catch {
    return null;
  }
  try {
    const account = await services.apiKeys.authenticate(services.orm.em.fork(), stored.apiKey);
    return account.id === stored.accountId ? stored : null;
  } catch {
    return null;
  }
}

/** A new account "Demo" with a sender that delivers to the capture SMTP server; its key is kept in `dataDir`. */
export async function createDemoAccount(
  services: Services,
  dataDir: string,
  capturePort: number,
): Promise<DemoAccount> {
  const { account, key } = await services.accounts.create(services.orm.em.fork(), 'Demo');
  const demo = { accountId: account.id, apiKey: key.secret };
  await ensureDemoSender(services, demo.accountId, capturePort);
  const file = join(dataDir, DEMO_FILE);
  writeFileSync(file, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return demo;
}

/** The demo account's capture sender, made again if it was deleted; returns its id. */
export async function ensureDemoSender(
  services: Services,
  accountId: string,
  capturePort: number,
): Promise<string> {
  const em = services.orm.em.fork();
  const existing = await em.findOne(Sender, { accountId, key: DEMO_SENDER_KEY, deletedAt: null });
  if (existing) return existing.id;
  const sender = await services.senders.create(em, accountId, {
    key: DEMO_SENDER_KEY,
    name: 'Mailtrace demo',
    email: 'demo@example.com',
    // the capture server takes any login; a password is required of every sender all the same
    password: 'capture',
    smtpHost: '127.0.0.1',
    smtpPort: capturePort,
    smtpSecure: false,
  });
  return sender.id;
}

/** Whether the database has any account yet (the first start of a fresh embedded default has none). */
export async function hasAccounts(services: Services): Promise<boolean> {
  const { rows } = await services.pool.query<{ any: boolean }>(
    'select exists (select 1 from account) as any',
  );
  return rows[0].any;
}

/**
 * On the embedded default, the first start (no account yet) makes the demo account, and every later
 * start shows it again while its key works. With DATABASE_URL there is no demo account: a real
 * deployment makes its accounts with the CLI.
 */
export async function firstRunDemoAccount(
  services: Services,
  config: { databaseUrl: string | null; dataDir: string; captureSmtpPort: number | null },
): Promise<DemoAccount | null> {
  if (config.databaseUrl !== null) return null;
  const kept = await loadDemoAccount(services, config.dataDir);
  if (kept || (await hasAccounts(services))) return kept;
  return createDemoAccount(services, config.dataDir, config.captureSmtpPort ?? DEFAULT_CAPTURE_SMTP_PORT);
}
