import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createSender } from './support/campaigns.js';
import { freePort } from './support/ports.js';
import { sample } from './support/prometheus.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let key: string;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    t = await startTestApp();
    ({ key } = await createAccount(t.app, 'Scraped'));
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  it('counts hits answered and recorded, batches, SMTP sends and jobs, and reads the gauges', async () => {
    const senderId = await createSender(t.baseUrl, key, peer.port);
    const { sendEmail } = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }',
      { i: { senderId, recipient: 'reader@example.com', subject: 'Scrape', body: 'Hello' } },
    );
    await eventually(async () => peer.received.length === 1);
    const pixel = t.app.services.urls.openPixel(sendEmail.id);
    for (let i = 0; i < 3; i++) await (await fetch(pixel)).arrayBuffer();
    await (await fetch(`${t.baseUrl}/api/v1/tracking/open/not-a-token`)).arrayBuffer();
    // a click, which process_events judges in a batch of its own
    const link = t.app.services.urls.click(sendEmail.id, 'https://example.com/');
    await (await fetch(link, { redirect: 'manual' })).arrayBuffer();

    const text = await eventually(async () => {
      const body = await scrape(`${t.baseUrl}/metrics`);
      const processed = sample(body, 'mailtrace_event_batches_total', 'stage="process"') ?? 0;
      return sample(body, 'mailtrace_smtp_messages_total', 'outcome="sent"') === 1 && processed >= 1 && body;
    });
    expect(sample(text, 'mailtrace_tracking_hits_answered_total', 'route="open"')).toBe(4);
    expect(sample(text, 'mailtrace_tracking_hits_recorded_total', 'kind="OPEN"')).toBe(3);
    expect(sample(text, 'mailtrace_event_batches_total', 'stage="insert"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'mailtrace_jobs_total', 'task="send_messages",outcome="success"')).toBe(1);
    expect(sample(text, 'mailtrace_tracking_buffer_depth')).toBe(0);
    expect(sample(text, 'mailtrace_processing_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    for (const name of [
      'mailtrace_tracking_hits_rate_limited_total',
      'mailtrace_tracking_hits_dropped_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    expect(text).toContain('# TYPE mailtrace_jobs_waiting gauge');
    // nothing that names an account, an address or a token
    expect(text).not.toMatch(/reader@example\.com|Scraped|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('moves to a listener of its own with METRICS_PORT, off the public port', async () => {
    const port = await freePort();
    const own = await startTestApp({ worker: false, env: { METRICS_PORT: String(port) } });
    try {
      expect((await fetch(`${own.baseUrl}/metrics`)).status).toBe(404);
      expect(await scrape(`http://127.0.0.1:${port}/metrics`)).toContain(
        'mailtrace_tracking_hits_answered_total',
      );
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});
