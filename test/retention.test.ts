import { readFileSync } from 'node:fs';
import { parseCrontab } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/db/ids.js';
import { ensureEventPartitions } from '../src/db/partitions.js';
import { insertHits } from '../src/tracking/ingest/event.sql.js';
import { createAccount, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';
import { seedMessage } from './support/seed.js';

const DAY = 86_400_000;

describe('retention: RETENTION_DAYS (90) by dropping day partitions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t?.stop());

  const pool = () => t.app.services.pool;
  const partitions = async () =>
    (
      await pool().query<{ name: string }>(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'tracking_event'::regclass order by 1`,
      )
    ).rows.map((r) => r.name);
  const partitionOf = (time: number) =>
    `tracking_event_p${new Date(time).toISOString().slice(0, 10).replace(/-/g, '')}`;

  /** A message queued `daysAgo` with one open event at the same time. */
  async function oldMessage(daysAgo: number) {
    const { messageId } = await seedMessage(t);
    const at = new Date(Date.now() - daysAgo * DAY);
    await ensureEventPartitions(pool(), at, at);
    await pool().query('update message set queued_at = $2 where id = $1', [messageId, at]);
    await insertHits(pool(), [
      {
        id: newId(),
        messageId,
        type: 'OPEN',
        occurredAt: at,
        ipAddress: '81.2.69.1',
        userAgent: 'x',
        url: null,
        machine: false,
        machineReason: null,
      },
    ]);
    return messageId;
  }

  it('keeps partitions made a week ahead', async () => {
    const names = await partitions();
    for (let day = 0; day <= 7; day++) expect(names).toContain(partitionOf(Date.now() + day * DAY));
  });

  it('drops events 91 days old with their whole day, keeps those 89 days old, and deletes expired messages', async () => {
    const old = await oldMessage(91);
    const recent = await oldMessage(89);
    expect(await partitions()).toContain(partitionOf(Date.now() - 91 * DAY));

    const result = await t.app.services.retention.purge();
    expect(result.partitionsDropped).toContain(partitionOf(Date.now() - 91 * DAY));
    expect(result.partitionsDropped).not.toContain(partitionOf(Date.now() - 89 * DAY));
    expect(await partitions()).not.toContain(partitionOf(Date.now() - 91 * DAY));
    const events = await pool().query(
      'select message_id from tracking_event where message_id = any($1::uuid[])',
      [[old, recent]],
    );
    expect(events.rows.map((r) => r.message_id)).toEqual([recent]);
    const messages = await pool().query('select id from message where id = any($1::uuid[])', [[old, recent]]);
    expect(messages.rows.map((r) => r.id)).toEqual([recent]);
    expect(result.messagesDeleted).toBeGreaterThanOrEqual(1);
  });

  it('with time moved forward, takes what has become too old, and makes the partitions ahead of the new today', async () => {
    const recent = await oldMessage(1);
    const later = new Date(Date.now() + 95 * DAY);
    const result = await t.app.services.retention.purge(later);
    expect(result.partitionsCreated).toBeGreaterThanOrEqual(7);
    expect(await partitions()).toContain(partitionOf(later.getTime() + 7 * DAY));
    expect((await pool().query('select 1 from message where id = $1', [recent])).rowCount).toBe(0);
    expect(
      (await pool().query('select 1 from tracking_event where message_id = $1', [recent])).rowCount,
    ).toBe(0);
  });

  it('deletes the recipients (personal data) of campaigns older than the retention', async () => {
    const { key } = await createAccount(t.app, 'Old campaigns');
    const senderId = await createSender(t.baseUrl, key, 2);
    const id = await createCampaign(t.baseUrl, key, senderId);
    await importRecipients(t.baseUrl, key, id, 'email,first_name\nold@example.com,Old');
    await pool().query(`update campaign set created_at = now() - interval '100 days' where id = $1`, [id]);
    const result = await t.app.services.retention.purge();
    expect(result.recipientsDeleted).toBe(1);
    expect((await gqlOk(t.baseUrl, key, `{ campaign(id: "${id}") { name } }`)).campaign.name).toBe('Launch');
  });

  it('is scheduled hourly by the crontab file', () => {
    const items = parseCrontab(readFileSync('workers/crontab', 'utf8'));
    expect(items.map((i) => i.task)).toEqual(['purge_expired', 'process_events']);
  });
});
