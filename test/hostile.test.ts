import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender } from './support/campaigns.js';
import { seedMessage } from './support/seed.js';
import { startSmtpPeer } from './support/smtp-peer.js';
import { personalize } from '../src/campaigns/template.js';
import { escapeHtml } from '../src/http/html.js';

/**
 * Generated hostile inputs, each with the outcome it must get. An input is "accepted" when its
 * outcome is anything else: the suite prints the totals and fails on any accepted input.
 */
const SEND_EMAIL = 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }';
const CREATE_SENDER = 'mutation($i: SenderInput!) { createSender(input: $i) { id } }';

describe('hostile inputs', () => {
  let t: TestApp;
  let victim: Awaited<ReturnType<typeof seedMessage>>;
  let attacker: Awaited<ReturnType<typeof seedMessage>>;
  let victimCampaignId: string;
  let victimWebhookId: string;
  let victimKeyId: string;
  const tried: string[] = [];
  const accepted: string[] = [];

  const check = (label: string, ok: boolean) => {
    tried.push(label);
    if (!ok) accepted.push(label);
  };
  const eventCount = async () =>
    Number((await t.app.services.pool.query('select count(*) from tracking_event')).rows[0].count);
  const request = (path: string, init: RequestInit = {}) =>
    fetch(`${t.baseUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36', ...init.headers },
    });

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    victim = await seedMessage(t, 'victim@example.com');
    attacker = await seedMessage(t, 'attacker@example.com');
    victimCampaignId = (
      await gqlOk(
        t.baseUrl,
        victim.key,
        'mutation($i: CampaignInput!) { createCampaign(input: $i) { id } }',
        {
          i: { name: 'Secret', subject: 'S', html: '<p>x</p>', senderId: victim.senderId },
        },
      )
    ).createCampaign.id;
    victimWebhookId = (
      await gqlOk(
        t.baseUrl,
        victim.key,
        'mutation { createWebhook(url: "https://hooks.example.com/x", events: [OPEN]) { webhook { id } } }',
      )
    ).createWebhook.webhook.id;
    victimKeyId = (await gqlOk(t.baseUrl, victim.key, '{ apiKeys { id } }')).apiKeys[0].id;
  });
  afterAll(async () => {
    console.log(`hostile: ${tried.length} tried, ${accepted.length} accepted`);
    await t?.stop();
  });

  /** Every way of spoiling a token: each character changed, cut, lengthened, encoded, padded. */
  function mangled(token: string): string[] {
    const out = new Set<string>();
    for (let i = 0; i < token.length; i++) {
      const swap = token[i] === 'A' ? 'B' : 'A';
      out.add(token.slice(0, i) + swap + token.slice(i + 1));
    }
    for (const n of [1, 10, 22, token.length - 1]) out.add(token.slice(0, n));
    for (const extra of [
      'A',
      '==',
      '%00',
      '%2e%2e%2f',
      '..%2f..%2f',
      '%0d%0aSet-Cookie:x=1',
      '\u00e9',
      ' ',
    ]) {
      out.add(token + encodeURIComponent(extra));
    }
    out.add('A'.repeat(44));
    out.add('x'.repeat(5000));
    out.add(encodeURIComponent('<script>alert(1)</script>'));
    out.add(encodeURIComponent("' or 1=1 --"));
    out.delete(token);
    return [...out];
  }

  it('records nothing for forged and mangled tokens on every tracking route', async () => {
    const pixelToken = t.app.services.urls.openPixel(victim.messageId).split('/').pop()!;
    const before = await eventCount();
    for (const bad of mangled(pixelToken)) {
      const open = await request(`/api/v1/tracking/open/${bad}`);
      await open.arrayBuffer();
      check(
        `open ${bad.slice(0, 60)}`,
        open.status === 200 && open.headers.get('content-type') === 'image/gif',
      );
      const page = await request(`/api/v1/tracking/unsubscribe/${bad}`);
      await page.arrayBuffer();
      check(`unsubscribe page ${bad.slice(0, 60)}`, page.status === 400 || page.status === 404);
      const post = await request(`/api/v1/tracking/unsubscribe/${bad}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      await post.arrayBuffer();
      check(`unsubscribe post ${bad.slice(0, 60)}`, post.status === 400 || post.status === 404);
    }
    const clickUrl = t.app.services.urls.click(victim.messageId, 'https://example.com/a');
    const clickToken = clickUrl.split('/click/')[1].split('?')[0];
    for (const bad of mangled(clickToken)) {
      const click = await request(
        `/api/v1/tracking/click/${bad}?url=${encodeURIComponent('https://example.com/a')}`,
      );
      await click.arrayBuffer();
      check(`click ${bad.slice(0, 60)}`, click.status === 400 && !click.headers.get('location'));
    }
    await t.app.services.eventBuffer.drain(5_000);
    check('no event recorded for any mangled token', (await eventCount()) === before);
    const suppressed = await t.app.services.pool.query('select 1 from suppression');
    check('nobody unsubscribed by a mangled token', suppressed.rowCount === 0);
    expect(accepted).toEqual([]);
  });

  it('never redirects anywhere but the signed link (redirect tricks on url=)', async () => {
    const signed = 'https://example.com/a';
    const token = t.app.services.urls.click(victim.messageId, signed).split('/click/')[1].split('?')[0];
    const tricks = [
      '//evil.example/',
      'https://evil.example/',
      'https://example.com.evil.example/a',
      'https://example.com@evil.example/a',
      'https://example.com/a@evil.example',
      'https:/\\evil.example',
      'https://example.com\\@evil.example',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'HTTPS://EXAMPLE.COM/a',
      'https://example.com/a ',
      ' https://example.com/a',
      'https://example.com/a\r\nSet-Cookie: x=1',
      'https://example.com/a%0d%0aLocation:%20https://evil.example',
      'https://example.com/A',
      'https://example.com/a/',
      'https://example.com/a?',
      'https://example.com/a#',
      'http://example.com/a',
      'https://example.com:443/a',
      'https://xn--exmple-cua.com/a',
      'https://example.com%2f@evil.example',
      '',
    ];
    const encodings = (u: string) => [encodeURIComponent(u), encodeURIComponent(encodeURIComponent(u)), u];
    for (const trick of tricks) {
      for (const encoded of encodings(trick)) {
        const response = await request(`/api/v1/tracking/click/${token}?url=${encoded}`);
        await response.arrayBuffer();
        const location = response.headers.get('location');
        check(`url=${encoded.slice(0, 60)}`, location === null || location === signed);
      }
    }
    for (const query of ['', '?', '?url=', `?url=${encodeURIComponent(signed)}&url=https://evil.example`]) {
      const response = await request(`/api/v1/tracking/click/${token}${query}`);
      await response.arrayBuffer();
      const location = response.headers.get('location');
      check(`query ${query.slice(0, 60)}`, location === null || location === signed);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses oversized and deep GraphQL from anyone with a typed error', async () => {
    const limits = t.config.queryLimits;
    const documents: string[] = [];
    for (const depth of [limits.maxDepth + 1, limits.maxDepth + 5, 50]) {
      documents.push(
        `{ campaigns { ${'messages(first: 1) { nodes { campaign { '.repeat(depth)} id ${'} } } '.repeat(depth)} } }`,
      );
    }
    for (const n of [limits.maxAliases + 1, 100, 1000]) {
      documents.push(`{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
      documents.push(`{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    }
    for (const n of [limits.maxDirectives + 1, 200]) {
      documents.push(`{ me { ${'id @skip(if: false) '.repeat(n)} } }`);
    }
    documents.push(`{ ${'me { id } '.repeat(limits.maxTokens)} }`);
    documents.push(`query { ${'__typename '.repeat(limits.maxTokens + 1)} }`);
    for (const document of documents) {
      for (const key of [null, attacker.key, 'mt_not-a-key']) {
        const result = await gql(t.baseUrl, key, document);
        const code = result.errors?.[0].extensions?.code;
        // without a valid key a large document is refused by its size before it is read
        const tooLarge = key !== attacker.key && result.status === 413 && typeof result.detail === 'string';
        check(
          `graphql ${document.slice(0, 40)} (${key ? 'key' : 'anonymous'})`,
          tooLarge || (result.data === null && (code === 'QUERY_TOO_COMPLEX' || code === 'UNAUTHENTICATED')),
        );
      }
    }
    expect(accepted).toEqual([]);
  });

  it("never reads or changes another account's data through its ids", async () => {
    const ids = {
      message: victim.messageId,
      campaign: victimCampaignId,
      sender: victim.senderId,
      webhook: victimWebhookId,
      apiKey: victimKeyId,
    };
    const operations: [string, Record<string, unknown>][] = [
      ['query($id: ID!) { message(id: $id) { id recipient } }', { id: ids.message }],
      ['query($id: ID!) { campaign(id: $id) { id name } }', { id: ids.campaign }],
      [
        `mutation($id: ID!) { updateCampaign(id: $id, input: { name: "pwned", subject: "s", html: "h", senderId: "${attacker.senderId}" }) { id } }`,
        { id: ids.campaign },
      ],
      [
        'mutation($id: ID!) { addRecipients(campaignId: $id, recipients: [{ email: "x@example.com" }]) { added } }',
        { id: ids.campaign },
      ],
      [
        'mutation($id: ID!) { importRecipients(campaignId: $id, csv: "email\\nx@example.com") { added } }',
        { id: ids.campaign },
      ],
      ['mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id: ids.campaign }],
      ['mutation($id: ID!) { deleteSender(id: $id) }', { id: ids.sender }],
      ['mutation($id: ID!) { verifySender(id: $id) { ok } }', { id: ids.sender }],
      [
        'mutation($id: ID!) { sendEmail(input: { senderId: $id, recipient: "x@example.com", subject: "s", body: "b" }) { id } }',
        { id: ids.sender },
      ],
      [
        'mutation($id: ID!) { createCampaign(input: { name: "n", subject: "s", html: "h", senderId: $id }) { id } }',
        { id: ids.sender },
      ],
      ['mutation($id: ID!) { deleteWebhook(id: $id) }', { id: ids.webhook }],
      ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: ids.apiKey }],
      ['query($id: ID!) { messages(campaignId: $id) { totalCount nodes { id } } }', { id: ids.campaign }],
    ];
    const spellings = (id: string) => [id, id.toUpperCase(), ` ${id}`, `${id}\u0000`, `${id}' or '1'='1`];
    for (const [document, variables] of operations) {
      for (const id of spellings(variables.id as string)) {
        const result = await gql(t.baseUrl, attacker.key, document, { id });
        const code = result.errors?.[0].extensions?.code;
        const data = result.data as Record<string, any> | null;
        // a nullable field answers null, a list answers empty, anything else a typed error
        const nothing = data === null || Object.values(data).every((v) => v === null || v?.totalCount === 0);
        const typed = code === undefined || code === 'NOT_FOUND' || code === 'BAD_USER_INPUT';
        check(
          `${document.slice(0, 50)} with ${JSON.stringify(id).slice(0, 50)} -> ${code}`,
          nothing && typed,
        );
      }
    }
    // nothing of the victim's changed
    const mine = await gqlOk(
      t.baseUrl,
      victim.key,
      `{ campaign(id: "${ids.campaign}") { name status } senders { id } webhooks { id } apiKeys { revokedAt } }`,
    );
    check('victim campaign untouched', mine.campaign.name === 'Secret' && mine.campaign.status === 'DRAFT');
    check(
      'victim sender kept',
      mine.senders.some((s: { id: string }) => s.id === ids.sender),
    );
    check('victim webhook kept', mine.webhooks.length === 1);
    check('victim key not revoked', mine.apiKeys[0].revokedAt === null);
    expect(accepted).toEqual([]);
  });

  it('escapes HTML injected through names into every page it serves', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      "'><svg onload=alert(1)>",
      '</title><script>alert(1)</script>',
      '<a href="javascript:alert(1)">x</a>',
      '&lt;script&gt;',
    ];
    for (const payload of payloads) {
      const senderId = (
        await gqlOk(
          t.baseUrl,
          attacker.key,
          'mutation($i: SenderInput!) { createSender(input: $i) { id } }',
          {
            i: {
              key: `h${tried.length}`,
              email: 'h@example.com',
              name: payload,
              password: 'p',
              smtpHost: '127.0.0.1',
              smtpPort: 2,
            },
          },
        )
      ).createSender.id;
      const messageId = (
        await gqlOk(
          t.baseUrl,
          attacker.key,
          'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }',
          {
            i: { senderId, recipient: 'page@example.com', subject: payload, body: payload },
          },
        )
      ).sendEmail.id;
      const path = t.app.services.urls.unsubscribe(messageId).slice(t.config.publicUrl.length);
      const page = await (await request(path, { headers: { accept: 'text/html' } })).text();
      check(`unsubscribe page with ${payload}`, !page.includes(payload) || !/[<>"']/.test(payload));
      const fallback = await (
        await request(`/api/v1/tracking/unsubscribe-confirm?token=${encodeURIComponent(payload)}`, {
          headers: { accept: 'text/html' },
        })
      ).text();
      check(`fallback page with ${payload}`, !fallback.includes(payload) || !/[<>"']/.test(payload));
    }
    expect(accepted).toEqual([]);
  });

  it("fills templates with the recipient's own values only (template injection)", () => {
    const names = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'email'];
    const values = [
      '{{email}}',
      '{{first_name}}',
      '<script>alert(1)</script>',
      'a\r\nBcc: evil@example.com',
      '${1+1}',
    ];
    for (const name of names) {
      for (const value of values) {
        for (const mode of ['html', 'text', 'header'] as const) {
          const variables = Object.assign(Object.create(null), { email: value, first_name: 'Ann' });
          const plain = { email: value, first_name: 'Ann' };
          for (const vars of [variables, plain]) {
            let out: string;
            try {
              out = personalize(`[{{${name}}}][{{${name}|x}}]`, vars, mode);
            } catch {
              check(`template {{${name}}} ${mode} threw`, false);
              continue;
            }
            const expected = name === 'email' ? value : '';
            const rendered =
              mode === 'html'
                ? escapeHtml(expected)
                : mode === 'header'
                  ? expected.replace(/[\r\n]+/g, ' ')
                  : expected;
            check(
              `template {{${name}}} = ${JSON.stringify(value)} (${mode})`,
              out === `[${rendered}][${rendered || 'x'}]` && (mode !== 'header' || !/[\r\n]/.test(out)),
            );
          }
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('lets no header or recipient be injected into mail (a real SMTP peer receives what was sent)', async () => {
    const peer = await startSmtpPeer();
    const sending = await startTestApp();
    try {
      const { key } = await createAccount(sending.app, 'Injector');
      const senderId = await createSender(sending.baseUrl, key, peer.port);
      const breaks = ['\r\n', '\n', '\r', '\r\n ', '%0d%0a', '\u2028'];
      const injections = breaks.flatMap((br) => [
        `${br}Bcc: evil@example.com`,
        `${br}To: evil@example.com`,
        `${br}${br}evil body`,
        `>${br}RCPT TO:<evil@example.com>`,
      ]);
      injections.push(', evil@example.com', '; evil@example.com', ' <evil@example.com>');
      const refusedOrHarmless = async (label: string, query: string, variables: Record<string, unknown>) => {
        const result = await gql(sending.baseUrl, key, query, variables);
        const code = result.errors?.[0]?.extensions?.code;
        if (code !== undefined) return check(label, code === 'BAD_USER_INPUT');
        return result.data;
      };
      const sent: { label: string; recipient: string }[] = [];
      let n = 0;
      for (const injection of injections) {
        const recipient = `r${n++}@example.com`;
        // the recipient itself, the subject, and a sender's address and name
        // an address with anything appended is no address: it must be refused, never sent
        const injected = await refusedOrHarmless(`recipient ${JSON.stringify(injection)}`, SEND_EMAIL, {
          i: { senderId, recipient: `${recipient}${injection}`, subject: 'S', body: 'B' },
        });
        if (injected) check(`recipient ${JSON.stringify(injection)} was accepted`, false);
        const subject = await refusedOrHarmless(`subject ${JSON.stringify(injection)}`, SEND_EMAIL, {
          i: { senderId, recipient, subject: `Hi${injection}`, body: 'B' },
        });
        if (subject) sent.push({ label: `subject ${JSON.stringify(injection)}`, recipient });
        for (const field of ['email', 'name'] as const) {
          const values = {
            key: `k${n++}`,
            email: 'sender@example.com',
            name: 'Acme',
            password: 'app-password',
          };
          values[field] = `${values[field]}${injection}`;
          const created = await refusedOrHarmless(
            `sender ${field} ${JSON.stringify(injection)}`,
            CREATE_SENDER,
            {
              i: { ...values, smtpHost: '127.0.0.1', smtpPort: peer.port },
            },
          );
          if (!created) continue;
          const to = `r${n++}@example.com`;
          await gqlOk(sending.baseUrl, key, SEND_EMAIL, {
            i: { senderId: created.createSender.id, recipient: to, subject: 'S', body: 'B' },
          });
          sent.push({ label: `sender ${field} ${JSON.stringify(injection)}`, recipient: to });
        }
      }
      // personalisation: a recipient's own values in a campaign's subject
      const campaignId = await createCampaign(sending.baseUrl, key, senderId, {
        subject: 'Hi {{first_name}}',
      });
      const personalised = injections.map((injection, i) => ({
        email: `p${i}@example.com`,
        firstName: `Ann${injection}`,
      }));
      await gqlOk(
        sending.baseUrl,
        key,
        'mutation($id: ID!, $r: [RecipientInput!]!) { addRecipients(campaignId: $id, recipients: $r) { added } }',
        { id: campaignId, r: personalised },
      );
      await gqlOk(sending.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', {
        id: campaignId,
      });
      for (const p of personalised)
        sent.push({ label: `first_name ${JSON.stringify(p.firstName)}`, recipient: p.email });

      await eventually(
        async () => sent.every((s) => peer.received.some((m) => m.envelopeTo.includes(s.recipient))),
        60_000,
      );
      for (const { label, recipient } of sent) {
        const mails = peer.received.filter((m) => m.envelopeTo.includes(recipient));
        const head = mails[0].raw.split(/\r?\n\r?\n/, 1)[0];
        check(
          `${label}: one message to its recipient only, no header added`,
          mails.length === 1 &&
            mails[0].envelopeTo.length === 1 &&
            !/^(bcc|to): .*evil/im.test(head) &&
            !mails[0].parsed.bcc &&
            !/evil/.test(JSON.stringify(mails[0].parsed.to)),
        );
      }
      check(
        'nothing reached the injected address',
        !peer.received.some((m) => m.envelopeTo.some((a) => a.includes('evil'))),
      );
      expect(accepted).toEqual([]);
    } finally {
      await sending.stop();
      await peer.stop();
    }
  });

  it('tried at least 500 inputs', () => {
    expect(tried.length).toBeGreaterThanOrEqual(500);
  });
});
