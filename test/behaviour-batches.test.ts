import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/db/ids.js';
import { insertHits } from '../src/tracking/ingest/event.sql.js';
import type { TrackingHit } from '../src/tracking/tracking-event.js';
import { startTestApp, type TestApp } from './support/app.js';
import { eventsOf, seedMessage } from './support/seed.js';

/**
 * process_events judges each batch's clicks with the clicks around them: a click judged human in
 * an earlier batch becomes a machine when a later batch completes its burst, even when what
 * completes it lies two burst windows from the new click (the context reads one window further
 * for a person's click at its edge).
 */
describe('behaviour verdicts across batches', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ worker: false });
  });
  afterAll(() => t?.stop());

  const click = (messageId: string, at: number): TrackingHit => ({
    id: newId(),
    messageId,
    type: 'CLICK',
    occurredAt: new Date(at),
    ipAddress: '81.2.69.160',
    userAgent: 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15',
    url: 'https://example.com/a',
    machine: false,
    machineReason: null,
  });
  const processAll = async () => {
    while ((await t.app.services.eventProcessor.run()) > 0);
  };

  it('turns an earlier human click into a machine when a later batch completes its burst', async () => {
    const { messageId } = await seedMessage(t);
    // sent long ago: click_before_open does not apply, only bursts (3 clicks within 2 s)
    await t.app.services.pool.query(`update message set sent_at = now() - interval '1 day' where id = $1`, [
      messageId,
    ]);
    const a = Date.now() - 60_000;
    // Z and A, 1.8 s apart: two clicks are no burst
    await insertHits(t.app.services.pool, [click(messageId, a - 1_800), click(messageId, a)]);
    await processAll();
    expect((await eventsOf(t, messageId)).map((e) => e.machine)).toEqual([false, false]);

    // B, 1.5 s after A: A now has Z and B within 2 s (a burst); Z (3.3 s from B) and B (1.8 s from Z)
    // do not. Z lies two windows from B: judging A needs the clicks one window beyond the batch's.
    await insertHits(t.app.services.pool, [click(messageId, a + 1_500)]);
    await processAll();
    const events = await eventsOf(t, messageId);
    expect(events.map((e) => [e.machine, e.machine_reason])).toEqual([
      [false, null],
      [true, 'scanner_burst'],
      [false, null],
    ]);
    const { rows } = await t.app.services.pool.query(
      'select click_count, machine_click_count from message where id = $1',
      [messageId],
    );
    expect(rows[0]).toEqual({ click_count: 2, machine_click_count: 1 });
  });
});
