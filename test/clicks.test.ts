import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { eventsOf, seedMessage } from './support/seed.js';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

describe('the click route', () => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seedMessage>>;

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    seeded = await seedMessage(t);
  });
  afterAll(() => t?.stop());

  const click = (path: string, init: RequestInit = {}) =>
    fetch(`${t.baseUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { 'user-agent': BROWSER, ...init.headers },
    });
  const pathOf = (url: string) => url.slice(t.config.publicUrl.length);
  const linkFor = (url: string, messageId = seeded.messageId) =>
    pathOf(t.app.services.urls.click(messageId, url));

  it('records a CLICK and answers 302 to the link, with no-cache headers', async () => {
    const target = 'https://shop.example.com/offer?id=7&utm_source=mail#top';
    const response = await click(linkFor(target));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(target);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    expect(response.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    await t.app.services.eventBuffer.drain(5_000);
    expect(await eventsOf(t, seeded.messageId)).toContainEqual(
      expect.objectContaining({ type: 'CLICK', url: target, machine: false, machine_reason: null }),
    );
    const message = (
      await gqlOk(
        t.baseUrl,
        seeded.key,
        `{ message(id: "${seeded.messageId}") { clickCount events { type url machine } } }`,
      )
    ).message;
    expect(message.clickCount).toBe(1);
    expect(message.events[0]).toEqual({ type: 'CLICK', url: target, machine: false });
  });

  it('refuses an edited url= (no open redirect) and a forged or malformed token with 400 and a JSON detail', async () => {
    const good = linkFor('https://example.com/a');
    const token = good.split('/')[5].split('?')[0];
    const cases: [string, RegExp][] = [
      [
        `/api/v1/tracking/click/${token}?url=${encodeURIComponent('https://evil.example/phish')}`,
        /not the link this token was made for/,
      ],
      [
        `/api/v1/tracking/click/${token.slice(0, 20)}${token[20] === 'x' ? 'y' : 'x'}${token.slice(21)}?url=${encodeURIComponent('https://example.com/a')}`,
        /invalid tracking token/,
      ],
      [
        `/api/v1/tracking/click/${token.slice(0, -2)}?url=${encodeURIComponent('https://example.com/a')}`,
        /invalid tracking token/,
      ],
      [`/api/v1/tracking/click/${'A'.repeat(5000)}?url=x`, /invalid tracking token/],
      [`/api/v1/tracking/click/${token}`, /url parameter is required/],
      [
        `/api/v1/tracking/click/${token}?url=${encodeURIComponent('https://example.com/a')}&url=https://evil.example`,
        /once/,
      ],
      // an open-pixel token is not a link token
      [
        `/api/v1/tracking/click/${t.app.services.tokens.sign(seeded.messageId)}?url=${encodeURIComponent('https://example.com/a')}`,
        /invalid tracking token/,
      ],
    ];
    for (const [path, detail] of cases) {
      const response = await click(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as { detail: string }).detail, path).toMatch(detail);
    }
  });

  it('refuses dangerous targets even when signed: other schemes, credentials, backslashes, CRLF, protocol-relative, overlong', async () => {
    const targets = [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      '//evil.example/path',
      'https://example.com\\@evil.example/',
      'https://trusted.example@evil.example/',
      'https://example.com/a\r\nSet-Cookie: x=1',
      'https://example.com/%0d%0aSet-Cookie:x',
      `https://example.com/${'a'.repeat(5000)}`,
      'ftp://example.com/file',
    ];
    for (const target of targets) {
      const response = await click(linkFor(target));
      const location = response.headers.get('location');
      if (target.includes('%0d%0a')) {
        // percent-encoded CRLF is an ordinary, harmless path: it stays encoded in Location
        expect(response.status).toBe(302);
        expect(location).toBe('https://example.com/%0d%0aSet-Cookie:x');
        expect(response.headers.get('set-cookie')).toBeNull();
        continue;
      }
      expect(response.status, target).toBe(400);
      expect(location, target).toBeNull();
    }
  });

  it('answers 404 for a well-formed link whose message no longer exists', async () => {
    const gone = await seedMessage(t);
    const path = linkFor('https://example.com/', gone.messageId);
    await t.app.services.pool.query('delete from message where id = $1', [gone.messageId]);
    const response = await click(path);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no longer exists/);
  });

  it('applies the account’s allow-list of link domains', async () => {
    const { key, messageId } = await seedMessage(t);
    const set = await gqlOk(
      t.baseUrl,
      key,
      'mutation { setLinkDomains(domains: ["Example.com", "*.shop.example"]) { linkDomains } }',
    );
    expect(set.setLinkDomains.linkDomains).toEqual(['example.com', '*.shop.example']);
    expect((await click(linkFor('https://example.com/x', messageId))).status).toBe(302);
    expect((await click(linkFor('https://eu.shop.example/x', messageId))).status).toBe(302);
    const refused = await click(linkFor('https://shop.example/x', messageId));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/shop\.example are not allowed/);
    expect((await click(linkFor('https://other.example/x', messageId))).status).toBe(400);
    const bad = await gql(
      t.baseUrl,
      key,
      'mutation { setLinkDomains(domains: ["not a domain"]) { linkDomains } }',
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers HEAD with the redirect, recorded as a machine click, and other methods with 405', async () => {
    const { messageId } = await seedMessage(t);
    const path = linkFor('https://example.com/head', messageId);
    const head = await click(path, { method: 'HEAD' });
    expect(head.status).toBe(302);
    const post = await click(path, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await t.app.services.eventBuffer.drain(5_000);
    expect(await eventsOf(t, messageId)).toEqual([
      expect.objectContaining({ type: 'CLICK', machine: true, machine_reason: 'head_request' }),
    ]);
  });

  it('marks the honeypot, known agents and scanner bursts as machines, and counts clicks apart', async () => {
    const { key, messageId } = await seedMessage(t);
    const honeypot = pathOf(t.app.services.urls.forMessage(messageId).honeypot);
    expect((await click(honeypot)).status).toBe(302);
    await click(linkFor('https://example.com/1', messageId), {
      headers: { 'user-agent': 'python-requests/2.31' },
    });
    // a scanner following three links within a second, with a browser's agent
    for (const n of [2, 3, 4]) await click(linkFor(`https://example.com/${n}`, messageId));
    await t.app.services.eventBuffer.drain(5_000);
    await t.app.services.eventProcessor.run();
    const events = await eventsOf(t, messageId);
    // requests a millisecond apart may share a timestamp: compare what was stored, not its order
    expect(events.map((e) => e.machine_reason).sort()).toEqual([
      'honeypot',
      'known_agent',
      'scanner_burst',
      'scanner_burst',
      'scanner_burst',
    ]);
    expect(events.every((e) => e.machine && e.processed)).toBe(true);
    const message = (await gqlOk(t.baseUrl, key, `{ message(id: "${messageId}") { clickCount } }`)).message;
    expect(message.clickCount).toBe(0);
    const { rows } = await t.app.services.pool.query(
      'select machine_click_count from message where id = $1',
      [messageId],
    );
    expect(rows[0].machine_click_count).toBe(5);
  });

  it('keeps a person’s click human after the open, and processes clicks stored while no worker ran', async () => {
    const { messageId } = await seedMessage(t);
    await t.app.services.pool.query(
      `update message set status = 'SENT', sent_at = now() - interval '1 hour' where id = $1`,
      [messageId],
    );
    await fetch(t.app.services.urls.openPixel(messageId), { headers: { 'user-agent': BROWSER } });
    await click(linkFor('https://example.com/read', messageId));
    await t.app.services.eventBuffer.drain(5_000);
    // an open is stored finished; a click waits for its behaviour verdict
    const stored = await eventsOf(t, messageId);
    expect(stored.map((e) => [e.type, !e.processed]).sort()).toEqual([
      ['CLICK', true],
      ['OPEN', false],
    ]);
    await t.app.services.eventProcessor.run();
    const events = await eventsOf(t, messageId);
    expect(events.map((e) => [e.type, e.machine]).sort()).toEqual([
      ['CLICK', false],
      ['OPEN', false],
    ]);
    expect(events.every((e) => e.processed)).toBe(true);
  });
});

describe('the process_events job', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('runs by itself after clicks are stored', async () => {
    t = await startTestApp();
    const { messageId } = await seedMessage(t);
    await fetch(
      `${t.baseUrl}${t.app.services.urls.click(messageId, 'https://example.com/').slice(t.config.publicUrl.length)}`,
      {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      },
    );
    await eventually(
      async () =>
        (await eventsOf(t, messageId)).every((e) => e.processed) &&
        (await eventsOf(t, messageId)).length === 1,
    );
  });
});
