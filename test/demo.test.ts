import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDemoAccount,
  DEMO_SENDER_KEY,
  ensureDemoSender,
  firstRunDemoAccount,
  loadDemoAccount,
} from '../src/demo/demo-account.js';
import { runDemoCampaign } from '../src/demo/demo-campaign.js';
import { createLogger } from '../src/logger.js';
import { CaptureSmtpServer, capturedMailDir, isListening } from '../src/mail/capture-smtp.js';
import {
  createAccount,
  eventually,
  gqlOk,
  SHIPPED_API_LIMITS,
  startTestApp,
  type TestApp,
} from './support/app.js';
import { freePort } from './support/ports.js';

/** The first hour: the demo account, the capture SMTP server, and `npm run demo`'s campaign. */
describe('demo', () => {
  let t: TestApp;
  let capture: CaptureSmtpServer;
  let dataDir: string;
  let capturePort: number;

  beforeAll(async () => {
    // the demo's readers come through a proxy hop (X-Forwarded-For), as `npm run demo` sets up
    t = await startTestApp({ env: { TRUST_PROXY: '1', ...SHIPPED_API_LIMITS } });
    dataDir = mkdtempSync(join(tmpdir(), 'mailtrace-demo-'));
    capturePort = await freePort();
    const started = await CaptureSmtpServer.start({
      port: capturePort,
      dir: capturedMailDir(dataDir),
      logger: createLogger('silent'),
    });
    if (!started) throw new Error('capture server did not start');
    capture = started;
  });

  afterAll(async () => {
    // the app first: its pooled SMTP connections to the capture server close with it
    await t?.stop();
    await capture?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes the demo account on the first start of the embedded default, and shows it again after', async () => {
    const services = t.app.services;
    const embedded = { databaseUrl: null, dataDir, captureSmtpPort: capturePort };
    // with DATABASE_URL there is no demo account: a real deployment makes its own
    expect(await firstRunDemoAccount(services, { ...embedded, databaseUrl: t.db.url })).toBeNull();

    const demo = await firstRunDemoAccount(services, embedded);
    expect(demo).not.toBeNull();
    expect(await firstRunDemoAccount(services, embedded)).toEqual(demo);
    expect(await loadDemoAccount(services, dataDir)).toEqual(demo);
    const file = join(dataDir, 'demo-account.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).apiKey).toBe(demo!.apiKey);

    const data = await gqlOk(t.baseUrl, demo!.apiKey, '{ me { name } senders { key smtpHost smtpPort } }');
    expect(data.me.name).toBe('Demo');
    expect(data.senders).toEqual([{ key: DEMO_SENDER_KEY, smtpHost: '127.0.0.1', smtpPort: capturePort }]);
    // the sender is made once, and again only if it was deleted
    expect(await ensureDemoSender(services, demo!.accountId, capturePort)).toBe(
      await ensureDemoSender(services, demo!.accountId, capturePort),
    );
  });

  it('makes no demo account where accounts exist already', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'mailtrace-demo-'));
    try {
      const embedded = { databaseUrl: null, dataDir: otherDir, captureSmtpPort: capturePort };
      expect(await firstRunDemoAccount(t.app.services, embedded)).toBeNull();
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('sends a campaign to the capture server and plays its readers through the tracking routes', async () => {
    const services = t.app.services;
    const demo =
      (await loadDemoAccount(services, dataDir)) ?? (await createDemoAccount(services, dataDir, capturePort));
    const senderId = await ensureDemoSender(services, demo.accountId, capturePort);
    const lines: string[] = [];
    const summary = await runDemoCampaign(services, demo, senderId, {
      recipients: 12,
      seconds: 3,
      trackingBaseUrl: t.baseUrl,
      progress: (line) => lines.push(line),
    });
    expect(lines.some((line) => line.includes('sending to 12 recipients'))).toBe(true);

    // every email was captured as a file, carrying its tracking pixel
    const files = readdirSync(capturedMailDir(dataDir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(12);
    expect(readFileSync(join(capturedMailDir(dataDir), files[0]), 'utf8')).toContain(
      '/api/v1/tracking/open/',
    );

    const metrics = await eventually(async () => {
      const data = await gqlOk(
        t.baseUrl,
        demo.apiKey,
        `query($id: ID!) { campaign(id: $id) { status metrics {
           sent opens machineOpens clicks machineClicks unsubscribes topCountries { country opens }
         } } }`,
        { id: summary.campaignId },
      );
      const m = data.campaign.metrics;
      const located = m.topCountries.reduce((sum: number, c: { opens: number }) => sum + c.opens, 0);
      // done when every human open is counted and placed, every click is counted, and the
      // scanner's burst is judged
      const everyClick = m.clicks + m.machineClicks === summary.clicks + 3;
      return m.opens === summary.opens && located === summary.opens && everyClick && m.machineClicks >= 3
        ? m
        : undefined;
    });
    expect(metrics).toMatchObject({
      sent: 12,
      opens: summary.opens,
      clicks: summary.clicks,
      unsubscribes: summary.unsubscribes,
    });
    expect(summary.opens).toBeGreaterThan(0);
    expect(summary.unsubscribes).toBe(1);
    // Apple's privacy proxy opened three emails (every fifth recipient); the scanner followed all links
    expect(metrics.machineOpens).toBe(3);
    expect(metrics.machineClicks).toBe(3);
    // the readers' public addresses were placed in their countries (London, Mountain View, ...)
    expect(metrics.topCountries.length).toBeGreaterThan(3);
    expect(metrics.topCountries.map((c: { country: string }) => c.country)).toContain('GB');
  });

  it("keeps the demo account's campaign from other accounts", async () => {
    const other = await createAccount(t.app, 'Other');
    const data = await gqlOk(t.baseUrl, other.key, '{ campaigns { id } messages { totalCount } }');
    expect(data.campaigns).toEqual([]);
    expect(data.messages.totalCount).toBe(0);
  });

  it('a second capture server on a taken port is skipped, not fatal', async () => {
    expect(await isListening(capturePort)).toBe(true);
    const second = await CaptureSmtpServer.start({
      port: capturePort,
      dir: capturedMailDir(dataDir),
      logger: createLogger('silent'),
    });
    expect(second).toBeNull();
  });
});
