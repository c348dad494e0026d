import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrap } from '../app.js';
import { ConfigError, DEFAULT_CAPTURE_SMTP_PORT, loadConfig } from '../config.js';
import { DASHBOARD_PATH } from '../dashboard/dashboard.routes.js';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logger.js';
import { CaptureSmtpServer, capturedMailDir, isListening } from '../mail/capture-smtp.js';
import type { Services } from '../services.js';
import { createDemoAccount, ensureDemoSender, loadDemoAccount } from './demo-account.js';
import { runDemoCampaign } from './demo-campaign.js';
import { PENDING_EVENTS } from '../tracking/processing/event-processing.sql.js';

export const DEMO_USAGE = `usage: npm run demo [-- --recipients N] [--seconds N]
  --recipients N   people the demo campaign goes to (1 to 1000, default 40)
  --seconds N      how long their opens and clicks go on (15 to 600, default 45)`;

/**
 * `npm run demo`: fills the demo account with a campaign whose opens and clicks come in live. It runs
 * a second mailtrace instance in this process (API and job workers against the same database, as a
 * scaled-out deployment does) and sends the simulated readers' requests to it with X-Forwarded-For,
 * as a reverse proxy would: so the events take every real path, and a dashboard served by `npm start`
 * sees them arrive through PostgreSQL's LISTEN/NOTIFY.
 */
export async function runDemo(args: string[]): Promise<void> {
  const options = parseDemoArgs(args);
  const base = loadConfig();
  const capturePort = base.captureSmtpPort ?? DEFAULT_CAPTURE_SMTP_PORT;
  const config = loadConfig({
    ...process.env,
    // links keep pointing at the public address; this instance only takes the demo's requests
    PUBLIC_URL: base.publicUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    TRUST_PROXY: '1',
    // the demo sender's capture server is allowed by the SMTP host guard's own rule, also with DATABASE_URL
    CAPTURE_SMTP_PORT: String(capturePort),
  });
  const logger = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel);
  const print = (line: string) => console.log(`demo: ${line}`);
  const database = await openDatabase(config, logger);
  let capture: CaptureSmtpServer | null = null;
  try {
    const app = await bootstrap(config, logger, database.url);
    try {
      const port = await app.listen();
      await app.startWorker();
      if (!(await isListening(capturePort))) {
        capture = await CaptureSmtpServer.start({
          port: capturePort,
          dir: capturedMailDir(config.dataDir),
          logger,
        });
        if (!capture)
          throw new Error(`no capture SMTP server on 127.0.0.1:${capturePort}, and none could be started`);
        print(`started a capture SMTP server on 127.0.0.1:${capturePort} (npm start was not running one)`);
      }
      const demo =
        (await loadDemoAccount(app.services, config.dataDir)) ??
        (await createDemoAccount(app.services, config.dataDir, capturePort));
      const senderId = await ensureDemoSender(app.services, demo.accountId, capturePort);
      const summary = await runDemoCampaign(app.services, demo, senderId, {
        ...options,
        trackingBaseUrl: `http://127.0.0.1:${port}`,
        progress: print,
      });
      await app.services.eventBuffer.drain(10_000);
      if (!(await waitUntilProcessed(app.services, summary.campaignId)))
        print('some locations are still being resolved: the dashboard shows them as they come');
      print(
        `done: ${summary.sent} sent, ${summary.opens} opens, ${summary.clicks} clicks, ` +
          `${summary.unsubscribes} unsubscribe, ${summary.machineHits} machine requests (Apple's privacy proxy, a link scanner)`,
      );
      console.log(`\nSee it at ${base.publicUrl}${DASHBOARD_PATH}/#/campaigns/${summary.campaignId}`);
      console.log(`signed in with the demo account's API key:\n${demo.apiKey}`);
    } finally {
      await app.stop();
    }
  } finally {
    await capture?.stop();
    await database.close();
  }
}

function parseDemoArgs(args: string[]): { recipients: number; seconds: number } {
  const options = { recipients: 40, seconds: 45 };
  const limits = { recipients: [1, 1000], seconds: [15, 600] } as const;
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '') as keyof typeof options;
    const value = Number(args[i + 1]);
    if (!(name in limits)) throw new ConfigError(`unknown demo option "${args[i]}"\n${DEMO_USAGE}`);
    const [min, max] = limits[name];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(`--${name} takes a whole number from ${min} to ${max}\n${DEMO_USAGE}`);
    options[name] = value;
  }
  return options;
}

/** Until process_events (in whichever worker) has judged every click; false after 30 s. */
async function waitUntilProcessed(services: Services, campaignId: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { rows } = await services.pool.query<{ waiting: number }>(
      `select count(*)::int as waiting from ${PENDING_EVENTS} where e.campaign_id = $1`,
      [campaignId],
    );
    if (rows[0].waiting === 0) return true;
    await sleep(250);
  }
  return false;
}
