import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/db/ids.js';
import { insertHits } from '../src/tracking/ingest/event.sql.js';
import type { MessageStatus } from '../src/messages/message.entity.js';
import { MessageRepository } from '../src/messages/message.repository.js';
import type { TrackingHit } from '../src/tracking/tracking-event.js';
import { createAccount, gqlOk, startTestApp, type TestApp } from './support/app.js';
import { createCampaign, createSender, importRecipients } from './support/campaigns.js';
import { seedMessage } from './support/seed.js';
import { PENDING_EVENTS } from '../src/tracking/processing/event-processing.sql.js';

const MESSAGES = 12;
const ROUNDS = 12;

describe('counter writers at once: the insert path and two event processors on the same messages', () => {
  let t: TestApp;
  let campaignId: string;
  let messageIds: string[];

  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    const { key } = await createAccount(t.app, 'Contended');
    const senderId = await createSender(t.baseUrl, key, 2525);
    campaignId = await createCampaign(t.baseUrl, key, senderId);
    const emails = Array.from({ length: MESSAGES }, (_, i) => `c${i}@example.com`);
    await importRecipients(t.baseUrl, key, campaignId, `email\n${emails.join('\n')}`);
    await gqlOk(t.baseUrl, key, 'mutation($id: ID!) { sendCampaign(id: $id) { id } }', { id: campaignId });
    await t.app.services.fanOut.run(campaignId);
    const { rows } = await t.app.services.pool.query<{ id: string }>(
      'select id from message where campaign_id = $1',
      [campaignId],
    );
    messageIds = rows.map((r) => r.id);
    // sent long ago: no click_before_open, only bursts turn clicks into machine clicks
    await t.app.services.pool.query(
      `update message set sent_at = now() - interval '1 day' where campaign_id = $1`,
      [campaignId],
    );
  });
  afterAll(() => t?.stop());

  /** Every message in a different order per batch: writers that lock in arrival order would cross. */
  function batch(round: number, seed: number): TrackingHit[] {
    const order = [...messageIds].sort(
      (a, b) => ((a.charCodeAt(10) * seed) % 97) - ((b.charCodeAt(10) * seed) % 97) || a.localeCompare(b),
    );
    if (seed % 2) order.reverse();
    const base = Date.now() - 60_000 + round * 3_000;
    return order.flatMap((messageId, i) => [
      hit(messageId, 'OPEN', base + i),
      // two or three clicks of one message within the burst window: some become machine clicks
      ...Array.from({ length: 1 + ((i + seed + round) % 3) }, (_, k) =>
        hit(messageId, 'CLICK', base + i + k * 300),
      ),
    ]);
  }
  const hit = (messageId: string, type: 'OPEN' | 'CLICK', at: number): TrackingHit => ({
    id: newId(),
    messageId,
    type,
    occurredAt: new Date(at),
    ipAddress: '81.2.69.160',
    userAgent: 'Mozilla/5.0',
    url: type === 'CLICK' ? 'https://example.com/a' : null,
    machine: false,
    machineReason: null,
  });

  it('never deadlocks and keeps every counter equal to the events', async () => {
    const { pool, eventProcessor } = t.app.services;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([
        insertHits(pool, batch(round, 3)),
        insertHits(pool, batch(round, 7)),
        insertHits(pool, batch(round, 11)),
        eventProcessor.run(),
        eventProcessor.run(),
      ]);
    }
    while ((await eventProcessor.run()) > 0);

    const { rows: messages } = await pool.query(
      `select m.open_count, m.click_count, m.machine_click_count,
              count(*) filter (where e.type = 'OPEN' and not e.machine)::int as human_opens,
              count(*) filter (where e.type = 'CLICK' and not e.machine)::int as human_clicks,
              count(*) filter (where e.type = 'CLICK' and e.machine)::int as machine_clicks
       from message m join tracking_event e on e.message_id = m.id
       where m.campaign_id = $1 group by m.id`,
      [campaignId],
    );
    expect(messages).toHaveLength(MESSAGES);
    let machineClicks = 0;
    for (const m of messages) {
      expect([m.open_count, m.click_count, m.machine_click_count]).toEqual([
        m.human_opens,
        m.human_clicks,
        m.machine_clicks,
      ]);
      machineClicks += m.machine_clicks;
    }
    expect(machineClicks).toBeGreaterThan(0);
    const { rows: stats } = await pool.query(
      `select sum(opens)::int as opens, sum(unique_opens)::int as unique_opens, sum(clicks)::int as clicks,
              sum(unique_clicks)::int as unique_clicks, sum(machine_clicks)::int as machine_clicks
       from campaign_stats where campaign_id = $1`,
      [campaignId],
    );
    const sum = (pick: (m: Record<string, number>) => number) => messages.reduce((s, m) => s + pick(m), 0);
    expect(stats[0]).toEqual({
      opens: sum((m) => m.human_opens),
      unique_opens: messages.filter((m) => m.human_opens > 0).length,
      clicks: sum((m) => m.human_clicks),
      unique_clicks: messages.filter((m) => m.human_clicks > 0).length,
      machine_clicks: machineClicks,
    });
  });
  it('send outcomes at the same time on the same messages neither deadlock nor lose a count', async () => {
    const { pool, eventProcessor } = t.app.services;
    const outcomes = new MessageRepository(pool);
    const before = await pool.query(
      'select sum(sent)::int as sent from campaign_stats where campaign_id = $1',
      [campaignId],
    );
    for (let round = 0; round < ROUNDS; round++) {
      await pool.query(`update message set status = 'SENDING' where campaign_id = $1`, [campaignId]);
      // every writer in another order: the outcome batch reversed, the inserts shuffled
      const sent = [...messageIds].reverse().map((messageId) => ({
        messageId,
        status: 'SENT' as MessageStatus,
        error: null,
        smtpResponse: '250 ok',
        sentAt: new Date(),
      }));
      await Promise.all([
        insertHits(pool, batch(ROUNDS + round, 5)),
        outcomes.recordOutcomes(sent),
        insertHits(pool, batch(ROUNDS + round, 13)),
        eventProcessor.run(),
      ]);
    }
    const after = await pool.query(
      'select sum(sent)::int as sent from campaign_stats where campaign_id = $1',
      [campaignId],
    );
    expect(after.rows[0].sent - before.rows[0].sent).toBe(ROUNDS * MESSAGES);
  });
});

describe('many event processors at once on a small pool', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('take turns without holding connections while they wait, and judge every click once', async () => {
    // two connections: a run that waited for the lock on one would leave its holder none to work with
    t = await startTestApp({ worker: false, env: { DB_POOL_SIZE: '2' } });
    const { messageId } = await seedMessage(t);
    await t.app.services.pool.query(`update message set sent_at = now() - interval '1 hour' where id = $1`, [
      messageId,
    ]);
    const start = Date.now() - 10_000;
    await insertHits(
      t.app.services.pool,
      Array.from({ length: 30 }, (_, i) => ({
        id: newId(),
        messageId,
        type: 'CLICK' as const,
        occurredAt: new Date(start + i * 5_000),
        ipAddress: '81.2.69.160',
        userAgent: 'Mozilla/5.0',
        url: 'https://example.com/a',
        machine: false,
        machineReason: null,
      })),
    );
    const runs = await Promise.all(Array.from({ length: 8 }, () => t.app.services.eventProcessor.run()));
    // every click was looked at once, by one of the runs; the others found nothing left
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(30);
    const { rows } = await t.app.services.pool.query(
      `select count(*)::int as n from ${PENDING_EVENTS} where e.message_id = $1`,
      [messageId],
    );
    expect(rows).toEqual([{ n: 0 }]);
  });
});
