import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { type DnsServer, startDnsServer } from './support/dns-server.js';

const LOOPBACK_SPELLINGS = [
  '127.0.0.1',
  'localhost',
  'mail.localhost',
  '127.1',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '[::1]',
  '::1',
  '::ffff:127.0.0.1',
  '0.0.0.0',
  '10.0.0.5',
  '192.168.1.1',
  '169.254.169.254',
];

const ALLOWED = { SMTP_ALLOW_PRIVATE_ADDRESSES: 'true' };

describe('senders cannot reach the internal network', () => {
  let t: TestApp;
  let key: string;
  let listener: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { SMTP_ALLOW_PRIVATE_ADDRESSES: 'false' } });
    ({ key } = await createAccount(t.app, 'Mapper'));
    listener = createServer((socket) => {
      connections++;
      socket.end('220 internal service\r\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  /** A sender stored by an instance that allows private hosts, as one stored before the rule came. */
  async function storedWhileAllowed(senderKey: string, smtpPort: number): Promise<string> {
    const allowed = await startTestApp({ worker: false, database: t.db, env: ALLOWED });
    try {
      return (
        await gqlOk(allowed.baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
          i: { key: senderKey, email: 'a@example.com', password: 'p', smtpHost: '127.0.0.1', smtpPort },
        })
      ).createSender.id;
    } finally {
      await allowed.stop();
    }
  }

  afterAll(async () => {
    await t?.stop();
    listener?.close();
  });

  it('refuses every spelling of loopback and private addresses at createSender with BAD_USER_INPUT', async () => {
    for (const smtpHost of LOOPBACK_SPELLINGS) {
      const result = await gql(
        t.baseUrl,
        key,
        'mutation($i: SenderInput!) { createSender(input: $i) { id } }',
        {
          i: { key: 'k', email: 'a@example.com', password: 'p', smtpHost, smtpPort: port },
        },
      );
      expect(result.errors?.[0].extensions?.code, smtpHost).toBe('BAD_USER_INPUT');
    }
    expect((await gqlOk(t.baseUrl, key, '{ senders { id } }')).senders).toEqual([]);
    expect(connections).toBe(0);
  });

  it('refuses such rows in importSenders by line, and imports nothing', async () => {
    // a quoted password over two lines and an empty line: the bad row starts on line 5
    const csv = `key,email,app_password,name,smtp_host,smtp_port\r\nok,a@example.com,"two\r\nlines",,smtp.example.com,587\r\n\r\nbad,b@example.com,pw,,127.1,${port}\r\n`;
    const result = await gqlOk(
      t.baseUrl,
      key,
      'mutation($c: String!) { importSenders(csv: $c) { created errors { line message } } }',
      { c: csv },
    );
    expect(result.importSenders.created).toBe(0);
    expect(result.importSenders.errors).toEqual([
      { line: 5, message: expect.stringMatching(/loopback, private or reserved/) },
    ]);
    expect((await gqlOk(t.baseUrl, key, '{ senders { id } }')).senders).toEqual([]);
  });

  it('never connects for a sender stored while allowed: verifySender and sendEmail are refused', async () => {
    const senderId = await storedWhileAllowed('old', port);
    const verified = await gqlOk(t.baseUrl, key, `mutation { verifySender(id: "${senderId}") { ok error } }`);
    expect(verified.verifySender.ok).toBe(false);
    expect(verified.verifySender.error).toMatch(/loopback, private or reserved/);
    expect(verified.verifySender.error).not.toMatch(/ECONNREFUSED|220/);
    const sent = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id status } }',
      {
        i: { senderId, recipient: 'r@example.com', subject: 's', body: 'b' },
      },
    );
    // the job fails before claiming: the message stays QUEUED and nothing connects
    await eventually(async () => {
      const { rows } = await t.app.services.pool.query(
        'select 1 from graphile_worker.jobs where attempts > 0',
      );
      return rows.length > 0;
    });
    const message = await gqlOk(t.baseUrl, key, `{ message(id: "${sent.sendEmail.id}") { status } }`);
    expect(message.message.status).toBe('QUEUED');
    expect(connections).toBe(0);
  });

  it('says only "could not connect" for a refused connection, never a code that maps ports', async () => {
    const allowed = await startTestApp({ worker: false, database: t.db, env: ALLOWED });
    const senderId = await storedWhileAllowed('closed', 1);
    const verified = await gqlOk(
      allowed.baseUrl,
      key,
      `mutation { verifySender(id: "${senderId}") { ok error } }`,
    );
    await allowed.stop();
    expect(verified.verifySender.error).toBe('could not connect to 127.0.0.1:1');
  });
});

/** Names that resolve inside, answered by a real DNS server on loopback that DNS_SERVERS points at. */
const INSIDE_NAMES = {
  'inside.mailtrace.test': { a: ['127.0.0.1'] },
  'metadata.mailtrace.test': { a: ['169.254.169.254'] },
  'private.mailtrace.test': { a: ['192.168.0.10'] },
  'v6.mailtrace.test': { aaaa: ['::1'] },
  'mapped.mailtrace.test': { aaaa: ['::ffff:127.0.0.1'] },
  // one public and one private address: every address must be public
  'mixed.mailtrace.test': { a: ['93.184.216.34', '10.1.2.3'] },
};

describe('senders cannot reach inside through DNS names', () => {
  let dns: DnsServer;
  let t: TestApp;
  let key: string;
  const createSender = (smtpHost: string, senderKey = 'k') =>
    gql(t.baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
      i: { key: senderKey, email: 'a@example.com', password: 'p', smtpHost, smtpPort: 2525 },
    });

  beforeAll(async () => {
    dns = await startDnsServer({
      ...INSIDE_NAMES,
      'public.mailtrace.test': { a: ['93.184.216.34'] },
      // public when the sender is created, loopback when it is used (DNS rebinding)
      'rebind.mailtrace.test': { a: ['93.184.216.34'], thenA: ['127.0.0.1'] },
    });
    t = await startTestApp({
      worker: true,
      env: { SMTP_ALLOW_PRIVATE_ADDRESSES: 'false', DNS_SERVERS: dns.address },
    });
    ({ key } = await createAccount(t.app, 'Resolver'));
  });
  afterAll(async () => {
    await t?.stop();
    await dns?.stop();
  });

  it('refuses a name whose addresses are not all public, and accepts a public one', async () => {
    for (const name of Object.keys(INSIDE_NAMES)) {
      const result = await createSender(name);
      expect(result.errors?.[0].extensions?.code, name).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message, name).toMatch(/loopback, private or reserved/);
      expect(dns.asked.get(name), name).toBeGreaterThan(0);
    }
    expect((await createSender('public.mailtrace.test', 'public')).errors).toBeUndefined();
    expect((await createSender('nowhere.mailtrace.test', 'unresolved')).errors).toBeUndefined();
  });

  it('resolves again at verifySender and at every send: a rebound name reaches nothing', async () => {
    const created = await createSender('rebind.mailtrace.test', 'rebind');
    expect(created.errors).toBeUndefined();
    const senderId = created.data!.createSender.id;
    const verified = await gqlOk(t.baseUrl, key, `mutation { verifySender(id: "${senderId}") { ok error } }`);
    expect(verified.verifySender).toEqual({
      ok: false,
      error: expect.stringMatching(/loopback, private or reserved/),
    });
    const sent = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }',
      {
        i: { senderId, recipient: 'r@example.com', subject: 's', body: 'b' },
      },
    );
    await eventually(async () => {
      const { rows } = await t.app.services.pool.query(
        "select last_error from graphile_worker.jobs where task_identifier = 'send_messages' and attempts > 0",
      );
      return rows.length > 0 && /loopback, private or reserved/.test(rows[0].last_error);
    });
    const message = await gqlOk(t.baseUrl, key, `{ message(id: "${sent.sendEmail.id}") { status } }`);
    expect(message.message.status).toBe('QUEUED');
    expect(dns.asked.get('rebind.mailtrace.test')).toBeGreaterThanOrEqual(3);
  });
});
