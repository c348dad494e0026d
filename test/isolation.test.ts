import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, gql, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';

describe('one account never sees or changes another account’s data', () => {
  let t: TestApp;
  let peer: SmtpPeer;
  let alice: string;
  let bob: string;
  let aliceSender: string;
  let aliceMessage: string;
  let aliceKeyId: string;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    t = await startTestApp();
    ({ key: alice } = await createAccount(t.app, 'Alice'));
    ({ key: bob } = await createAccount(t.app, 'Bob'));
    const input = {
      key: 'main',
      email: 'sender@example.com',
      password: 'app-password',
      smtpHost: '127.0.0.1',
      smtpPort: peer.port,
    };
    aliceSender = (
      await gqlOk(t.baseUrl, alice, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
        i: input,
      })
    ).createSender.id;
    // Bob may use the same sender key: keys are unique per account only
    await gqlOk(t.baseUrl, bob, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
      i: input,
    });
    aliceMessage = (
      await gqlOk(t.baseUrl, alice, 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }', {
        i: { senderId: aliceSender, recipient: 'reader@example.com', subject: 'Private', body: 'hi' },
      })
    ).sendEmail.id;
    aliceKeyId = (await gqlOk(t.baseUrl, alice, '{ apiKeys { id } }')).apiKeys[0].id;
    await eventually(
      async () =>
        (await gqlOk(t.baseUrl, alice, `{ message(id: "${aliceMessage}") { status } }`)).message.status ===
        'SENT',
    );
  });

  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  it('does not list or read the other account’s senders, messages or keys', async () => {
    const view = await gqlOk(
      t.baseUrl,
      bob,
      `{ senders { id } messages { totalCount nodes { id } } apiKeys { id } message(id: "${aliceMessage}") { id } }`,
    );
    expect(view.senders.map((s: { id: string }) => s.id)).not.toContain(aliceSender);
    expect(view.messages.totalCount).toBe(0);
    expect(view.apiKeys.map((k: { id: string }) => k.id)).not.toContain(aliceKeyId);
    expect(view.message).toBeNull();
    const filtered = await gqlOk(
      t.baseUrl,
      bob,
      '{ messages(recipient: "reader@example.com") { totalCount } }',
    );
    expect(filtered.messages.totalCount).toBe(0);
  });

  it('cannot send through, delete or verify the other account’s sender', async () => {
    const send = await gql(t.baseUrl, bob, 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }', {
      i: { senderId: aliceSender, recipient: 'x@example.com', subject: 'Hi', body: 'x' },
    });
    expect(send.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const del = await gql(t.baseUrl, bob, `mutation { deleteSender(id: "${aliceSender}") }`);
    expect(del.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const verify = await gql(t.baseUrl, bob, `mutation { verifySender(id: "${aliceSender}") { ok } }`);
    expect(verify.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gqlOk(t.baseUrl, alice, '{ senders { id } }')).senders).toHaveLength(1);
  });

  it('cannot revoke the other account’s key', async () => {
    const result = await gql(t.baseUrl, bob, `mutation { revokeApiKey(id: "${aliceKeyId}") { id } }`);
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gqlOk(t.baseUrl, alice, '{ me { name } }')).me.name).toBe('Alice');
  });

  it('does not update the other account’s sender when importing the same key', async () => {
    const csv = 'key,email,app_password\nmain,bob@example.com,bob-password\n';
    const result = await gqlOk(
      t.baseUrl,
      bob,
      'mutation($csv: String!) { importSenders(csv: $csv) { created updated } }',
      { csv },
    );
    expect(result.importSenders).toEqual({ created: 0, updated: 1 });
    const aliceSenders = await gqlOk(t.baseUrl, alice, '{ senders { email } }');
    expect(aliceSenders.senders[0].email).toBe('sender@example.com');
  });
});
