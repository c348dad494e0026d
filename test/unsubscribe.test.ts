import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { eventsOf, seedMessage } from './support/seed.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

const HTML = { accept: 'text/html' };

describe('unsubscribing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t?.stop());

  const unsubscribePath = (messageId: string) =>
    t.app.services.urls.unsubscribe(messageId).slice(t.config.publicUrl.length);

  it('GET shows a page with one button and changes nothing (link scanners follow every GET)', async () => {
    const { messageId } = await seedMessage(t, "o'brien&co@example.com");
    for (let i = 0; i < 3; i++) {
      const response = await fetch(t.baseUrl + unsubscribePath(messageId), { headers: HTML });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).toContain('<form method="post"');
      expect(html).toContain('o&#39;brien&amp;co@example.com');
      expect(html).toContain('Acme &lt;News&gt; &amp; &quot;Co&quot;');
      expect(html).not.toContain("o'brien&co");
      expect(html).not.toContain('<News>');
    }
    const head = await fetch(t.baseUrl + unsubscribePath(messageId), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const { rows } = await t.app.services.pool.query('select unsubscribed_at from message where id = $1', [
      messageId,
    ]);
    expect(rows[0].unsubscribed_at).toBeNull();
    expect(await eventsOf(t, messageId)).toEqual([]);
  });

  it('POST from the page unsubscribes once: one event, unsubscribedAt, a suppression; again says so and adds nothing', async () => {
    const { key, messageId, senderId } = await seedMessage(t, 'leaver@example.com');
    const post = () =>
      fetch(t.baseUrl + unsubscribePath(messageId), {
        method: 'POST',
        headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("You've been unsubscribed");
    const second = await post();
    expect(second.status).toBe(200);
    expect(await second.text()).toContain('already unsubscribed');
    expect((await eventsOf(t, messageId)).map((e) => e.type)).toEqual(['UNSUBSCRIBE']);
    const view = await gqlOk(
      t.baseUrl,
      key,
      `{ message(id: "${messageId}") { unsubscribedAt events { type } } suppressions { nodes { email reason } } }`,
    );
    expect(view.message.unsubscribedAt).not.toBeNull();
    expect(view.suppressions.nodes).toEqual([{ email: 'leaver@example.com', reason: 'UNSUBSCRIBED' }]);
    const later = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { status } }',
      {
        i: { senderId, recipient: 'leaver@example.com', subject: 'x', body: 'x' },
      },
    );
    expect(later.sendEmail.status).toBe('SUPPRESSED');
    // the page now says so on GET too
    expect(await (await fetch(t.baseUrl + unsubscribePath(messageId), { headers: HTML })).text()).toContain(
      'already unsubscribed',
    );
  });

  it('answers a mail client’s RFC 8058 one-click POST with 200', async () => {
    const { messageId } = await seedMessage(t);
    const response = await fetch(t.baseUrl + unsubscribePath(messageId), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(response.status).toBe(200);
    expect((await eventsOf(t, messageId)).map((e) => e.type)).toEqual(['UNSUBSCRIBE']);
  });

  it('answers bad tokens and gone messages with 400 and 404, as a page for people and JSON for programs', async () => {
    const { messageId } = await seedMessage(t);
    const path = unsubscribePath(messageId);
    // one character of the MAC changed (a different one, whatever the token)
    const at = path.length - 10;
    const forged = `${path.slice(0, at)}${path[at] === 'A' ? 'B' : 'A'}${path.slice(at + 1)}`;
    expect((await fetch(t.baseUrl + forged, { headers: HTML })).status).toBe(400);
    const json = await fetch(t.baseUrl + forged, { method: 'POST' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { detail: string }).detail).toMatch(/not valid/);
    await t.app.services.pool.query('delete from message where id = $1', [messageId]);
    const gone = await fetch(t.baseUrl + path, { headers: HTML });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('This link has expired');
    expect((await fetch(t.baseUrl + path, { method: 'PUT' })).status).toBe(405);
  });

  it('offers a fallback form that takes the unsubscribe link', async () => {
    const { messageId } = await seedMessage(t);
    const form = await fetch(`${t.baseUrl}/api/v1/tracking/unsubscribe-confirm`, { headers: HTML });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="link"');
    const post = (link: string) =>
      fetch(`${t.baseUrl}/api/v1/tracking/unsubscribe-confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ link }).toString(),
      });
    const wrong = await post('<script>alert(1)</script>');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).not.toContain('<script>alert(1)</script>');
    const ok = await post(t.app.services.urls.unsubscribe(messageId));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("You've been unsubscribed");
    expect((await eventsOf(t, messageId)).map((e) => e.type)).toEqual(['UNSUBSCRIBE']);
    expect((await fetch(`${t.baseUrl}/api/v1/tracking/unsubscribe-confirm/extra`)).status).toBe(404);
    expect(
      (await fetch(`${t.baseUrl}/api/v1/tracking/unsubscribe-confirm`, { method: 'DELETE' })).status,
    ).toBe(405);
  });
});

describe('a received email, end to end', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  it('carries tracked links, a hidden honeypot, List-Unsubscribe headers and a footer link that all work', async () => {
    peer = await startSmtpPeer();
    t = await startTestApp({ env: { UNSUBSCRIBE_MAILTO: 'unsubscribe@mail.example.com' } });
    const { key } = await createAccount(t.app, 'E2E');
    const senderId = (
      await gqlOk(t.baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
        i: {
          key: 'm',
          email: 'sender@example.com',
          password: 'app-password',
          smtpHost: '127.0.0.1',
          smtpPort: peer.port,
        },
      })
    ).createSender.id;
    const body = `<html><body><p><a href="https://shop.example.com/offer?a=1&amp;b=2">Offer</a>
      <a href="mailto:help@example.com">Mail us</a> <a data-no-track href="https://example.com/private">Private</a></p></body></html>`;
    const sent = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }',
      {
        i: { senderId, recipient: 'reader@example.com', subject: 'Links', body, isHtml: true },
      },
    );
    const messageId = sent.sendEmail.id;
    const mail = await eventually(async () =>
      peer.received.find((m) => m.envelopeTo.includes('reader@example.com')),
    );
    const html = String(mail.parsed.html);

    // the raw header, unfolded: what a mail client reads
    const listUnsubscribe = (/^List-Unsubscribe:(.*(?:\r?\n[ \t].*)*)/im.exec(mail.raw)?.[1] ?? '').replace(
      /\r?\n[ \t]+/g,
      ' ',
    );
    const oneClickUrl = /<(http[^>]+)>/.exec(listUnsubscribe)?.[1];
    expect(oneClickUrl).toBe(t.app.services.urls.unsubscribe(messageId));
    expect(listUnsubscribe).toContain(
      `<mailto:unsubscribe@mail.example.com?subject=unsubscribe%20${messageId}>`,
    );
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);

    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    const offer = hrefs.find((h) => h.includes('/tracking/click/') && h.includes('shop.example.com'))!;
    expect(hrefs).toContain('mailto:help@example.com');
    expect(hrefs).toContain('https://example.com/private');
    expect(hrefs).toContain(oneClickUrl);
    expect(html).toMatch(
      /<a href="[^"]+\/tracking\/click\/[^"]+" style="display:none[^"]*" aria-hidden="true" tabindex="-1"><\/a><img src="[^"]+\/tracking\/open\//,
    );

    // a person: the email is opened (its pixel), then the link is clicked; a click with no open
    // seconds after delivery would be judged a scanner's (click_before_open)
    const pixel = /<img src="([^"]+\/tracking\/open\/[^"]+)"/.exec(html)![1];
    await (
      await fetch(pixel, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0' } })
    ).arrayBuffer();
    await t.app.services.eventBuffer.drain(5_000);
    const redirect = await fetch(offer, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0' },
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://shop.example.com/offer?a=1&b=2');

    const oneClick = await fetch(oneClickUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const message = await eventually(async () => {
      const m = (await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { clickCount unsubscribedAt } }`))
        .message;
      return m.clickCount === 1 ? m : undefined;
    });
    expect(message.unsubscribedAt).not.toBeNull();
  });
});
