import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sender } from '../src/senders/sender.entity.js';
import { SENDER_CSV_MAX_BYTES } from '../src/senders/sender-csv.js';
import { createAccount, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

const IMPORT =
  'mutation($csv: String!) { importSenders(csv: $csv) { created updated errors { line message } } }';
const SENDERS = '{ senders { id key email name smtpHost smtpPort smtpSecure smtpUser createdAt } }';

describe('senders', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let key: string;

  beforeAll(async () => {
    peer = await startSmtpPeer({ users: { 'ops@example.com': 's3cret-pass', 'other-login': 'pw-2' } });
    t = await startTestApp({ worker: false });
    ({ key } = await createAccount(t.app, 'Acme'));
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  const senders = async () => (await gqlOk(t.baseUrl, key, SENDERS)).senders as Record<string, unknown>[];

  it('creates a sender with the contract defaults and never returns or stores the password in clear', async () => {
    const created = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SenderInput!) { createSender(input: $i) { key email smtpHost smtpPort smtpSecure smtpUser } }',
      { i: { key: 'gmail', email: 'Someone@GMAIL.com', password: 'abcd efgh ijkl mnop' } },
    );
    expect(created.createSender).toEqual({
      key: 'gmail',
      email: 'Someone@gmail.com',
      smtpHost: 'smtp.gmail.com',
      smtpPort: 465,
      smtpSecure: true,
      smtpUser: 'Someone@gmail.com',
    });
    const { rows } = await t.app.services.pool.query('select * from sender where key = $1', ['gmail']);
    expect(JSON.stringify(rows)).not.toContain('abcd efgh');
    expect(rows[0].password_encrypted).toMatch(/^v1\./);
    const schemaHasPassword = await gql(t.baseUrl, key, '{ senders { password } }');
    expect(schemaHasPassword.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a duplicate key and invalid fields with BAD_USER_INPUT', async () => {
    const create = (i: Record<string, unknown>) =>
      gql(t.baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', { i });
    const base = { key: 'x1', email: 'a@example.com', password: 'p' };
    const cases = [
      { ...base, key: 'gmail' },
      { ...base, email: 'nope' },
      { ...base, password: '' },
      { ...base, smtpPort: 70000 },
      { ...base, smtpHost: 'bad host!' },
      { ...base, key: 'has space' },
    ];
    for (const input of cases) {
      const result = await create(input);
      expect(result.errors?.[0].extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).not.toContain('p"');
    }
  });

  it('imports a CSV with quotes, BOM and CRLF, upserting by key in one transaction', async () => {
    const csv =
      '\uFEFFkey,email,app_password,name,smtp_host,smtp_port,smtp_secure,smtp_user\r\n' +
      'ops,ops@example.com,"pa,ss""word",Ops Team,127.0.0.1,2525,false,\r\n' +
      'gmail,someone@gmail.com,newpass,"Someone, Jr.",,,,\r\n';
    const result = await gqlOk(t.baseUrl, key, IMPORT, { csv });
    expect(result.importSenders).toEqual({ created: 1, updated: 1, errors: [] });
    const byKey = Object.fromEntries((await senders()).map((s) => [s.key, s]));
    expect(byKey.ops).toMatchObject({
      email: 'ops@example.com',
      name: 'Ops Team',
      smtpHost: '127.0.0.1',
      smtpPort: 2525,
      smtpSecure: false,
    });
    expect(byKey.gmail).toMatchObject({ name: 'Someone, Jr.', smtpPort: 465 });
    const stored = await t.app.services.pool.query(
      'select id, password_encrypted from sender where key = $1',
      ['ops'],
    );
    const sender = await t.app.services.orm.em.fork().findOneOrFail(Sender, stored.rows[0].id);
    expect(t.app.services.senders.password(sender)).toBe('pa,ss"word');
  });

  it('reports every bad row with its line number and imports nothing when any row is bad', async () => {
    const before = await senders();
    const csv = [
      'key,email,app_password,smtp_port',
      'good1,good1@example.com,pw,587', // line 2: fine
      'bad-email,not-an-email,pw,', // line 3
      'nopass,nopass@example.com,,', // line 4
      'port,port@example.com,pw,99999', // line 5
      'good1,dup@example.com,pw,', // line 6: duplicate key
      '"multi',
      'line",ml@example.com,pw,', // lines 7-8: a quoted newline in the key, reported where it starts
      '',
      'short,row', // line 10, after an empty line
    ].join('\n');
    const result = (await gqlOk(t.baseUrl, key, IMPORT, { csv })).importSenders;
    expect(result.created).toBe(0);
    expect(result.updated).toBe(0);
    const lines = result.errors.map((e: { line: number }) => e.line);
    expect(lines).toEqual([3, 4, 5, 6, 7, 10]);
    const byLine = Object.fromEntries(
      result.errors.map((e: { line: number; message: string }) => [e.line, e.message]),
    );
    expect(byLine[3]).toMatch(/not a valid address/);
    expect(byLine[4]).toMatch(/password is missing/);
    expect(byLine[5]).toMatch(/smtp_port .* out of range/);
    expect(byLine[6]).toMatch(/duplicate key "good1" \(first on line 2\)/);
    expect(byLine[10]).toMatch(/expected 4 fields, found 2/);
    expect(await senders()).toEqual(before);
  });

  it('rejects a CSV with a wrong header, an unclosed quote, no rows, or over the size limit', async () => {
    const header = (await gqlOk(t.baseUrl, key, IMPORT, { csv: 'email,password\na@b.co,x' })).importSenders;
    expect(header.errors[0]).toMatchObject({ line: 1 });
    expect(header.errors[0].message).toMatch(
      /missing column\(s\) key, app_password; unknown column\(s\) password/,
    );
    const unclosed = (
      await gqlOk(t.baseUrl, key, IMPORT, { csv: 'key,email,app_password\n"oops,a@b.co,x\n' })
    ).importSenders;
    expect(unclosed.errors[0].message).toMatch(/not valid CSV/);
    const empty = await gql(t.baseUrl, key, IMPORT, { csv: 'key,email,app_password\n' });
    expect(empty.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const huge = await gql(t.baseUrl, key, IMPORT, {
      csv: `key,email,app_password\n${'x'.repeat(SENDER_CSV_MAX_BYTES)}`,
    });
    expect(huge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(huge.errors?.[0].message).toMatch(/limit is 1\.0 MiB/);
  });

  it('verifies a sender against a real SMTP server and says what went wrong, without the password', async () => {
    const csv = `key,email,app_password,smtp_host,smtp_port,smtp_secure,smtp_user
ok,ops@example.com,s3cret-pass,127.0.0.1,${peer.port},false,
wrong,ops2@example.com,wrong-pass-123,127.0.0.1,${peer.port},false,other-login
closed,ops3@example.com,whatever,127.0.0.1,1,false,`;
    expect((await gqlOk(t.baseUrl, key, IMPORT, { csv })).importSenders.errors).toEqual([]);
    const ids = Object.fromEntries((await senders()).map((s) => [s.key, s.id]));
    const verify = async (id: unknown) =>
      (await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { verifySender(id: $id) { ok error } }', { id }))
        .verifySender;
    expect(await verify(ids.ok)).toEqual({ ok: true, error: null });
    const wrong = await verify(ids.wrong);
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/535/);
    expect(wrong.error).not.toContain('wrong-pass-123');
    const closed = await verify(ids.closed);
    expect(closed.ok).toBe(false);
    // only that it could not connect: error codes would map which internal ports are open
    expect(closed.error).toMatch(/^could not connect to 127\.0\.0\.1:\d+$/);
  });

  it('deletes a sender softly: gone from the list, key free again, unknown ids are NOT_FOUND', async () => {
    const before = await senders();
    const ops = before.find((s) => s.key === 'ops')!;
    expect(
      (await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { deleteSender(id: $id) }', { id: ops.id }))
        .deleteSender,
    ).toBe(true);
    expect((await senders()).map((s) => s.key)).not.toContain('ops');
    const again = await gql(t.baseUrl, key, 'mutation($id: ID!) { deleteSender(id: $id) }', { id: ops.id });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const recreated = await gqlOk(
      t.baseUrl,
      key,
      'mutation($i: SenderInput!) { createSender(input: $i) { key } }',
      {
        i: { key: 'ops', email: 'ops@example.com', password: 'x' },
      },
    );
    expect(recreated.createSender.key).toBe('ops');
  });
});
