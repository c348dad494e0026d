// The dashboard in a real browser (headless Chromium through playwright-core) against the real
// service: sign-in, compose -> SENT, a campaign from a CSV, live rows and charts, account isolation.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, gqlOk, SHIPPED_API_LIMITS, startTestApp, type TestApp } from './support/app.js';
import { hasChromium, launchChromium, type PageProblems, screenshot, watchPage } from './support/browser.js';
import { createCampaign, createSender } from './support/campaigns.js';
import { cityRecord, LONDON, PARIS, writeCityDatabase } from './support/geo-fixture.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { startTcpProxy } from './support/tcp-proxy.js';

if (!hasChromium) {
  if (process.env.CI) {
    describe('dashboard in a browser', () => {
      it('needs Chromium', () => {
        throw new Error('no /usr/bin/chromium: install chromium: apt-get install -y chromium');
      });
    });
  } else {
    console.warn('dashboard.browser.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)');
  }
}

const UA = {
  appleMail:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  thunderbird: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0',
  outlook: 'Microsoft Outlook 16.0.17928; Microsoft Outlook 16.0.17928; ms-office; MSOffice 16',
  chrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};
const CSV = [
  'email,first_name',
  'ada@example.com,Ada',
  'grace@example.com,Grace',
  'not-an-email,Bad',
  'linus@example.com,Linus',
  'margaret@example.com,Margaret',
].join('\n');

describe.skipIf(!hasChromium)('dashboard in a browser', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let alice: string;
  let bob: string;
  let campaignId: string;
  const dashboard = () => `${t.baseUrl}/dashboard/`;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    const geo = writeCityDatabase([
      LONDON,
      PARIS,
      { cidr: '8.8.8.0/24', data: cityRecord('US', 'California', 'Mountain View', 37.4, -122.08) },
      { cidr: '5.9.0.0/16', data: cityRecord('DE', 'Bavaria', 'Munich', 48.14, 11.58) },
      { cidr: '133.0.0.0/8', data: cityRecord('JP', 'Tokyo', 'Tokyo', 35.69, 139.69) },
    ]);
    [t, browser] = await Promise.all([
      startTestApp({ env: { TRUST_PROXY: '1', GEOIP_DB: geo, ...SHIPPED_API_LIMITS } }),
      launchChromium(),
    ]);
    ({ key: alice } = await createAccount(t.app, 'Acme Newsletters'));
    ({ key: bob } = await createAccount(t.app, 'Bob Corp'));
    await createSender(t.baseUrl, alice, peer.port, { key: 'news', name: 'Acme News' });
    const bobSender = await createSender(t.baseUrl, bob, 2, { key: 'bob', email: 'bob@example.com' });
    await createCampaign(t.baseUrl, bob, bobSender, { name: 'Bob private launch' });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    problems = await watchPage(page);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await peer?.stop();
  });

  /** A tracking URL of the email the SMTP peer received for `recipient`, on the test server. */
  function trackingUrl(recipient: string, kind: 'open' | 'click') {
    const mail = peer.received.find((m) => m.envelopeTo.includes(recipient));
    if (!mail) throw new Error(`no email to ${recipient} yet`);
    const html = String(mail.parsed.html);
    const pattern =
      kind === 'open'
        ? /<img src="([^"]+\/tracking\/open\/[^"]+)"/
        : /<a href="([^"]+\/tracking\/click\/[^"]+url=https%3A%2F%2Fexample\.com%2Fspring[^"]*)"/;
    const found = pattern.exec(html);
    if (!found) throw new Error(`no ${kind} link in ${html}`);
    return found[1].replaceAll('&amp;', '&').replace(t.config.publicUrl, t.baseUrl);
  }

  async function track(recipient: string, kind: 'open' | 'click', ip: string, userAgent: string) {
    const response = await fetch(trackingUrl(recipient, kind), {
      redirect: 'manual',
      headers: { 'user-agent': userAgent, 'x-forwarded-for': ip },
    });
    expect(response.status).toBeLessThan(400);
  }

  const row = (recipient: string) => page.locator('[data-testid="message-row"]', { hasText: recipient });
  const cell = (recipient: string, col: string) => row(recipient).locator(`[data-col="${col}"]`);
  const metric = (name: string) => page.getByTestId(`metric-${name}-value`);

  it('refuses a bad API key, then signs in and keeps the key in sessionStorage only', async () => {
    await page.goto(dashboard());
    await page.getByLabel('API key').fill('mt_not-a-real-key');
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('not accepted');
    await screenshot(page, 'dashboard-sign-in.png');

    await page.getByLabel('API key').fill(alice);
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('account-name').textContent()).toBe('Acme Newsletters');
    expect(await page.evaluate('sessionStorage.getItem("mailtrace.apiKey")')).toBe(alice);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(new URL(page.url()).hash).toBe('#/campaigns');
    await expect.poll(() => page.getByTestId('campaigns-empty').isVisible()).toBe(true);
  });

  it('sends an email from the compose form and follows it to SENT', async () => {
    await page.locator('[data-nav="compose"]').click();
    await expect.poll(() => page.getByTestId('compose-sender').inputValue()).not.toBe('');
    await page.getByLabel('To', { exact: true }).fill('reader@example.com');
    await page.getByLabel('Subject', { exact: true }).fill('Welcome aboard');
    await page.getByLabel('HTML', { exact: true }).check();
    await page.getByLabel('Body', { exact: true }).fill('<p>Hello from the <b>dashboard</b>.</p>');
    await page.getByTestId('compose-send').click();
    await expect
      .poll(() => page.getByTestId('send-status-line').textContent(), { timeout: 20_000 })
      .toContain('SENT');
    const mail = peer.received.find((m) => m.envelopeTo.includes('reader@example.com'));
    expect(mail?.parsed.subject).toBe('Welcome aboard');
    const id = await page.getByTestId('sent-message-id').textContent();
    const { message } = await gqlOk(t.baseUrl, alice, 'query($id: ID!) { message(id: $id) { status } }', {
      id,
    });
    expect(message.status).toBe('SENT');
    await screenshot(page, 'dashboard-compose.png');
  });

  it('creates a campaign from a CSV, shows the import errors by line, and sends it', async () => {
    await page.locator('[data-nav="new-campaign"]').click();
    await expect.poll(() => page.getByTestId('campaign-sender').inputValue()).not.toBe('');
    await page.getByLabel('Campaign name').fill('Spring launch');
    await page.getByLabel('Subject', { exact: true }).fill('Hello {{first_name|there}}');
    await page
      .getByLabel('HTML body')
      .fill(
        '<p>Hi {{first_name|there}}, our <a href="https://example.com/spring">spring range</a> is here.</p>',
      );
    await page.getByLabel('or paste the CSV').fill(CSV);
    await page.getByTestId('campaign-submit').click();
    const errors = page.getByTestId('import-errors');
    await expect.poll(() => errors.textContent()).toContain('Line 4');
    expect(await page.getByTestId('import-summary').textContent()).toContain('4 added');
    await screenshot(page, 'dashboard-new-campaign.png');
    await page.getByTestId('campaign-send-anyway').click();
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/campaigns\/[0-9a-f-]{36}$/);
    campaignId = new URL(page.url()).hash.split('/')[2];
    // the table fills and the statuses move to SENT without a reload
    await expect
      .poll(() => page.getByTestId('campaign-status').textContent(), { timeout: 20_000 })
      .toBe('SENT');
    await expect.poll(() => page.locator('[data-testid="message-row"][data-status="SENT"]').count()).toBe(4);
    await expect.poll(() => metric('sent').textContent()).toBe('4');
    await expect.poll(() => peer.received.filter((m) => m.parsed.subject === 'Hello Ada').length).toBe(1);
  });

  it('updates a row live when its pixel is fetched', async () => {
    await page.evaluate('window.__sameDocument = true');
    await expect.poll(() => page.getByTestId('live-status').getAttribute('data-state')).toBe('live');
    expect(await cell('ada@example.com', 'opens').textContent()).toBe('0');
    expect(await cell('ada@example.com', 'first-opened').textContent()).toBe('—');

    await track('ada@example.com', 'open', '81.2.69.160', UA.appleMail);
    await expect.poll(() => cell('ada@example.com', 'opens').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await cell('ada@example.com', 'first-opened').textContent()).not.toBe('—');
    await expect.poll(() => cell('ada@example.com', 'ip').textContent()).toBe('81.2.69.160');
    // the location comes with the event's second push, once process_events has placed it
    await expect
      .poll(() => cell('ada@example.com', 'location').textContent(), { timeout: 15_000 })
      .toBe('London, England, GB');
    expect(await cell('ada@example.com', 'client').textContent()).toBe('Apple Mail · mobile');
    await expect.poll(() => metric('opens').textContent()).toBe('1');
    await expect.poll(() => metric('open-rate').textContent()).toBe('25.0%');
    expect(await page.getByTestId('activity-item').first().textContent()).toContain('ada@example.com');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('draws the charts from opens and clicks in several countries', async () => {
    await track('grace@example.com', 'open', '2a01:cb00:1::9', UA.thunderbird);
    await track('linus@example.com', 'open', '8.8.8.8', UA.outlook);
    await track('margaret@example.com', 'open', '5.9.1.1', UA.chrome);
    await track('ada@example.com', 'open', '133.1.2.3', UA.appleMail);
    await track('ada@example.com', 'click', '133.1.2.3', UA.appleMail);
    await new Promise((r) => setTimeout(r, 1_200));
    await track('grace@example.com', 'click', '2a01:cb00:1::9', UA.thunderbird);

    await expect.poll(() => metric('opens').textContent(), { timeout: 15_000 }).toBe('5');
    await expect.poll(() => metric('clicks').textContent(), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => metric('open-rate').textContent()).toBe('100.0%');
    await expect.poll(() => cell('ada@example.com', 'opens').textContent()).toBe('2');
    await expect.poll(() => cell('ada@example.com', 'clicks').textContent()).toBe('1');
    const countries = page.getByTestId('chart-countries');
    await expect.poll(() => countries.locator('.bar-row').count(), { timeout: 15_000 }).toBe(5);
    expect(await countries.locator('svg').getAttribute('aria-label')).toMatch(/United Kingdom 1.*/);
    await expect
      .poll(() => page.getByTestId('chart-clients').locator('.bar-row').count())
      .toBeGreaterThanOrEqual(4);
    const timeline = page.getByTestId('chart-timeline');
    expect(await timeline.locator('rect.bar.opens').count()).toBeGreaterThanOrEqual(1);
    // a campaign sent minutes ago is drawn by the minute; the other buckets hold the same events
    const pressed = () => timeline.locator('[aria-pressed="true"]').textContent();
    const chartLabel = () => timeline.locator('svg').getAttribute('aria-label');
    expect(await pressed()).toBe('Minutes');
    expect(await chartLabel()).toMatch(/per minute \(UTC\): 5 opens and 2 clicks/);
    await timeline.getByRole('button', { name: 'Hourly' }).click();
    await expect.poll(chartLabel).toMatch(/per hour \(UTC\): 5 opens and 2 clicks/);
    await timeline.getByRole('button', { name: 'Minutes' }).click();
    await expect.poll(chartLabel).toMatch(/per minute \(UTC\)/);
    expect(await page.getByTestId('links').textContent()).toContain('https://example.com/spring');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.waitForTimeout(2_500); // let the row highlight fade for the picture
    await screenshot(page, 'dashboard-campaign-live.png');
  });

  it('lists the campaign with its metrics, and every email under Emails', async () => {
    await page.locator('[data-nav="campaigns"]').click();
    const campaign = page.locator('[data-testid="campaign-row"]', { hasText: 'Spring launch' });
    await expect.poll(() => campaign.locator('[data-col="opens"]').textContent()).toBe('5 (4)');
    expect(await campaign.locator('[data-col="open-rate"]').textContent()).toBe('100.0%');
    expect(await campaign.getByTestId('campaign-status').textContent()).toBe('SENT');
    await screenshot(page, 'dashboard-campaigns.png');
    await campaign.getByRole('link', { name: 'Spring launch' }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/campaigns/${campaignId}`);
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(4);

    await page.locator('[data-nav="emails"]').click();
    await expect
      .poll(() => row('reader@example.com').locator('[data-col="campaign"]').textContent())
      .toBe('Single send');
    expect(await row('ada@example.com').locator('[data-col="campaign"]').textContent()).toBe('Spring launch');
    const recipients = () =>
      page.getByTestId('message-row').locator('[data-col="recipient"]').allTextContents();
    await page.getByTestId('message-kind').selectOption({ label: 'Single sends' });
    await expect.poll(recipients).toEqual(['reader@example.com']);
    await page.getByTestId('message-kind').selectOption({ label: 'Campaign messages' });
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(4);
    await page.getByTestId('message-kind').selectOption({ label: 'All emails' });
    await page.getByTestId('recipient-filter').fill('grace@example.com');
    await page.getByTestId('recipient-filter').press('Enter');
    await expect.poll(recipients).toEqual(['grace@example.com']);
    await screenshot(page, 'dashboard-emails.png');
  });

  it('keeps the view on reload and fits a 390px window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${dashboard()}#/campaigns/${campaignId}`);
    await page.reload();
    await expect.poll(() => page.getByTestId('campaign-name').textContent()).toContain('Spring launch');
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(4);
    // the activity so far comes with the page (Campaign.events), not only what happens after
    await expect.poll(() => page.getByTestId('activity-item').count()).toBe(7);
    // the page does not scroll sideways; the message table does, inside its own box
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const scroller = page.getByTestId('messages').locator('.table-scroll');
    expect(await scroller.evaluate((el: any) => el.scrollWidth > el.clientWidth)).toBe(true);
    await screenshot(page, 'dashboard-mobile.png');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('reconnects after the connection drops and resumes the live updates', async () => {
    const proxy = await startTcpProxy(Number(new URL(t.baseUrl).port));
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const otherProblems = await watchPage(other);
    try {
      await other.goto(`http://127.0.0.1:${proxy.port}/dashboard/#/campaigns/${campaignId}`);
      await other.getByLabel('API key').fill(alice);
      await other.getByTestId('sign-in').click();
      const opens = other
        .locator('[data-testid="message-row"]', { hasText: 'margaret@' })
        .locator('[data-col="opens"]');
      await expect.poll(() => opens.textContent()).toBe('1');
      const live = other.getByTestId('live-status');
      await expect.poll(() => live.getAttribute('data-state')).toBe('live');
      proxy.cut();
      await expect.poll(() => live.getAttribute('data-state')).toBe('reconnecting');
      proxy.restore();
      await expect.poll(() => live.getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
      await track('margaret@example.com', 'open', '5.9.1.2', UA.chrome);
      await expect.poll(() => opens.textContent(), { timeout: 10_000 }).toBe('2');
      // while the proxy was down the browser logged its failed attempts; nothing else went wrong
      expect(otherProblems.errors.filter((e) => !/WebSocket connection .* failed/.test(e))).toEqual([]);
    } finally {
      await other.close();
      await proxy.close();
    }
  });

  it('shows another account only its own campaigns', async () => {
    await page.getByTestId('sign-out').click();
    await expect.poll(() => page.getByLabel('API key').isVisible()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("mailtrace.apiKey")')).toBeNull();
    await page.getByLabel('API key').fill(bob);
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('account-name').textContent()).toBe('Bob Corp');
    await page.locator('[data-nav="campaigns"]').click();
    await expect
      .poll(() => page.getByTestId('campaign-row').allTextContents())
      .toEqual([expect.stringContaining('Bob private launch')]);
    await page.goto(`${dashboard()}#/campaigns/${campaignId}`);
    await expect.poll(() => page.getByTestId('campaign-not-found').isVisible()).toBe(true);
    await page.goto(`${dashboard()}#/emails`);
    await expect.poll(() => page.getByTestId('messages-empty').isVisible()).toBe(true);
  });

  it('had no console errors and no CSP violations', async () => {
    expect(problems.errors).toEqual([]);
    expect(await problems.cspViolations()).toEqual([]);
    // the refused key of the first step, and nothing else
    expect(problems.refusedRequests.length).toBeLessThanOrEqual(1);
  });
});
