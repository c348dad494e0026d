import { newId } from '../../src/db/ids.js';
import { createAccount, gqlOk, type TestApp } from './app.js';

/** An account, a sender (pointing nowhere) and one queued message; no worker needs to run. */
export async function seedMessage(t: TestApp, recipient = 'r@example.com') {
  const { key, accountId } = await createAccount(t.app, `Seed ${newId()}`);
  const senderId = (
    await gqlOk(t.baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
      i: {
        key: 's',
        email: 's@example.com',
        name: 'Acme <News> & "Co"',
        password: 'p',
        smtpHost: '127.0.0.1',
        smtpPort: 2,
      },
    })
  ).createSender.id as string;
  const messageId = (
    await gqlOk(t.baseUrl, key, 'mutation($i: SendEmailInput!) { sendEmail(input: $i) { id } }', {
      i: { senderId, recipient, subject: 'S', body: 'B' },
    })
  ).sendEmail.id as string;
  return { key, accountId, senderId, messageId };
}

/**
 * Whether process_events is done with event `e`: opens are finished as stored, other events once
 * its cursor has passed them (rows stored before the cursor existed have no inserted_by).
 */
export const EVENT_PROCESSED = `(e.type = 'OPEN' or coalesce((e.inserted_by, e.id) <= (select inserted_by, event_id from tracking_event_cursor), true))`;

export async function eventsOf(t: TestApp, messageId: string) {
  const { rows } = await t.app.services.pool.query(
    `select type, url, machine, machine_reason, host(ip_address) as ip, ${EVENT_PROCESSED} as processed
     from tracking_event e where message_id = $1 order by occurred_at`,
    [messageId],
  );
  return rows as {
    type: string;
    url: string | null;
    machine: boolean;
    machine_reason: string | null;
    ip: string;
    processed: boolean;
  }[];
}
