import { describe, expect, it } from 'vitest';
import { EventStream, QUEUE_LIMIT } from '../src/live/subscription-hub.js';
import { type TrackingEvent, TrackingEventType } from '../src/tracking/tracking-event.type.js';

const event = (n: number) =>
  ({ id: String(n), type: TrackingEventType.OPEN, campaignId: null }) as TrackingEvent;

describe('a subscriber’s stream', () => {
  it('keeps at most QUEUE_LIMIT events for a subscriber that does not read, dropping the oldest', async () => {
    let closed = 0;
    const stream = new EventStream({ accountId: 'a', campaignId: null, types: null }, () => closed++);
    for (let n = 0; n < QUEUE_LIMIT + 500; n++) stream.push(event(n));
    expect(stream.dropped).toBe(500);
    expect((await stream.next()).value?.id).toBe('500');
    await stream.return();
    expect(closed).toBe(1);
    stream.push(event(9));
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('hands an event straight to a reader that waits, and filters by campaign and type', async () => {
    const stream = new EventStream(
      { accountId: 'a', campaignId: 'c1', types: [TrackingEventType.CLICK] },
      () => {},
    );
    const waiting = stream.next();
    stream.push({ ...event(1), type: TrackingEventType.CLICK, campaignId: 'c1' } as TrackingEvent);
    expect((await waiting).value?.id).toBe('1');
    expect(stream.matches({ ...event(2), campaignId: 'c1' } as TrackingEvent)).toBe(false);
    expect(
      stream.matches({ ...event(3), type: TrackingEventType.CLICK, campaignId: 'c2' } as TrackingEvent),
    ).toBe(false);
  });
});
