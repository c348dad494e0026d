import type { Config } from './config.js';
import { DASHBOARD_PATH } from './dashboard/dashboard.routes.js';
import type { DemoAccount } from './demo/demo-account.js';
import { capturedMailDir } from './mail/capture-smtp.js';
import { TRACKING_PREFIX } from './tracking/tracking-urls.js';

/** What `npm start` tells a person at the terminal: where everything is, and how to get going. */
export function startupBanner(
  config: Config,
  port: number,
  captureSmtpPort: number | null,
  demo: DemoAccount | null,
): string {
  const local = `http://localhost:${port}`;
  const lines = [
    '',
    'mailtrace is running',
    `  Dashboard      ${local}${DASHBOARD_PATH}/`,
    `  GraphQL        ${local}/graphql   (open it in a browser for the playground)`,
    `  Tracking base  ${config.publicUrl}${TRACKING_PREFIX}   (PUBLIC_URL: what emails link to)`,
    `  Health         ${local}/healthz`,
  ];
  if (captureSmtpPort !== null)
    lines.push(
      `  Capture SMTP   127.0.0.1:${captureSmtpPort}   (keeps emails in ${capturedMailDir(config.dataDir)}/)`,
    );
  if (demo) {
    lines.push(
      '',
      `Demo account: sign in to the dashboard with this API key (kept in ${config.dataDir}/demo-account.json):`,
      `  ${demo.apiKey}`,
      'Its sender "capture" delivers to the capture SMTP server. Fill it with a live sample campaign:',
      '  npm run demo',
    );
  } else if (config.databaseUrl !== null) {
    lines.push('', 'Create an account and its first API key:  npm run cli -- create-account "My company"');
  }
  return lines.join('\n') + '\n';
}
