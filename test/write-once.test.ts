import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { EVENT_PROCESSED, seedMessage } from './support/seed.js';

/**
 * Each event is inserted once and never rewritten by processing: a trigger counts every UPDATE of
 * tracking_event rows by type while opens and clicks go through the whole pipeline (routes, buffer,
 * insert, process_events). The one later write is a verdict: a human click that behaviour shows to
 * be a machine.
 */
describe('tracking events are written once', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ worker: false, env: { TRUST_PROXY: '1' } });
    await t.app.services.pool.query(`
      create table event_updates (type text, n int);
      create function count_event_update() returns trigger language plpgsql as $$
      begin insert into event_updates values (old.type, 1); return new; end $$;
      create trigger count_event_update before update on tracking_event
        for each row execute function count_event_update();`);
  });
  afterAll(() => t?.stop());

  it('never updates an open or a human click; process_events passes them by its cursor', async () => {
    const { messageId } = await seedMessage(t);
    await t.app.services.pool.query(`update message set sent_at = now() - interval '1 hour' where id = $1`, [
      messageId,
    ]);
    const headers = {
      'user-agent': 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15',
      'x-forwarded-for': '81.2.69.160',
    };
    for (let i = 0; i < 20; i++)
      await (await fetch(t.app.services.urls.openPixel(messageId), { headers })).arrayBuffer();
    const link = t.app.services.urls.click(messageId, 'https://example.com/');
    await (await fetch(link, { headers, redirect: 'manual' })).arrayBuffer();
    await t.app.services.eventBuffer.drain(5_000);
    while ((await t.app.services.eventProcessor.run()) > 0);

    const { rows } = await t.app.services.pool.query(
      'select type, sum(n)::int as updates from event_updates group by type order by type',
    );
    expect(rows).toEqual([]);
    const { rows: stored } = await t.app.services.pool.query(
      `select type, count(*)::int as n, count(*) filter (where ${EVENT_PROCESSED} and client is not null)::int as finished
       from tracking_event e where message_id = $1 group by type order by type`,
      [messageId],
    );
    expect(stored).toEqual([
      { type: 'CLICK', n: 1, finished: 1 },
      { type: 'OPEN', n: 20, finished: 20 },
    ]);
  });

  it('updates a click once when behaviour turns it into a machine click', async () => {
    const { messageId } = await seedMessage(t);
    await t.app.services.pool.query(`update message set sent_at = now() - interval '1 hour' where id = $1`, [
      messageId,
    ]);
    await t.app.services.pool.query('truncate event_updates');
    const headers = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0)', 'x-forwarded-for': '81.2.69.161' };
    // three clicks at once: a scanner burst
    for (let i = 0; i < 3; i++) {
      const link = t.app.services.urls.click(messageId, `https://example.com/${i}`);
      await (await fetch(link, { headers, redirect: 'manual' })).arrayBuffer();
    }
    await t.app.services.eventBuffer.drain(5_000);
    while ((await t.app.services.eventProcessor.run()) > 0);

    const { rows } = await t.app.services.pool.query(
      'select type, sum(n)::int as updates from event_updates group by type order by type',
    );
    expect(rows).toEqual([{ type: 'CLICK', updates: 3 }]);
    const { rows: stored } = await t.app.services.pool.query(
      `select count(*) filter (where machine)::int as machines from tracking_event where message_id = $1`,
      [messageId],
    );
    expect(stored).toEqual([{ machines: 3 }]);
  });
});
