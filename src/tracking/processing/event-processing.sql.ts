import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../../db/transaction.js';
import type { StoredEvent } from '../machine-detection.js';

/**
 * The statements of process_events. It reads new clicks and unsubscribes past a cursor
 * (tracking_event_cursor) in (inserted_by, id) order over index tracking_event_pending, and never
 * marks a row: an event is written once by its insert, and again only when a behaviour verdict
 * turns a human click into a machine click. Rows are read only below the oldest transaction still
 * running (pg_snapshot_xmin): every transaction that could still add a row behind the cursor has
 * ended by then, so nothing is skipped. Opens are finished as they are stored and never pending.
 */

/** Where process_events stands: rows after it, in (inserted_by, id) order, are still to be judged. */
export interface EventCursor {
  insertedBy: string;
  eventId: string;
}

export interface PendingEvent {
  id: string;
  occurred_at: Date;
  message_id: string;
  account_id: string;
  campaign_id: string | null;
  type: StoredEvent['type'];
  inserted_by: string;
}

/** A click near the pending ones, or its message's first open after the send: what the rules see. */
export interface ContextEvent {
  id: string;
  occurred_at: Date;
  message_id: string;
  type: StoredEvent['type'];
  url: string | null;
  machine: boolean;
  machine_reason: string | null;
  sent_at: Date | null;
}

/** The events of alias `e` that process_events has still to judge (joined to the cursor as `c`). */
export const PENDING_EVENTS = `tracking_event e join tracking_event_cursor c
  on e.type <> 'OPEN' and (e.inserted_by, e.id) > (c.inserted_by, c.event_id)`;

/** One processor at a time over every process: the cursor has one reader. */
const PROCESSOR_LOCK = `hashtext('mailtrace.process_events')`;

/** false when another processor holds it. */
export async function tryLockProcessor(session: PoolClient): Promise<boolean> {
  const { rows } = await session.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(${PROCESSOR_LOCK}) as locked`,
  );
  return rows[0].locked;
}

export async function unlockProcessor(session: PoolClient): Promise<void> {
  await session.query(`select pg_advisory_unlock(${PROCESSOR_LOCK})`);
}

export async function readCursor(db: Pool | PoolClient): Promise<EventCursor> {
  const { rows } = await db.query<EventCursor>(
    'select inserted_by::text as "insertedBy", event_id as "eventId" from tracking_event_cursor',
  );
  return rows[0];
}

export async function advanceCursor(db: Pool | PoolClient, to: EventCursor): Promise<void> {
  await db.query('update tracking_event_cursor set inserted_by = $1::xid8, event_id = $2', [
    to.insertedBy,
    to.eventId,
  ]);
}

const PENDING_AFTER = {
  name: 'mailtrace_pending_events',
  // ordered by the column, not by the text of the same name the list returns
  text: `select e.id, e.occurred_at, e.message_id, e.account_id, e.campaign_id, e.type, e.inserted_by::text
    from tracking_event e
    where e.type <> 'OPEN' and (e.inserted_by, e.id) > ($1::xid8, $2::uuid)
      and e.inserted_by < pg_snapshot_xmin(pg_current_snapshot())
    order by e.inserted_by, e.id limit $3`,
};

/** The next `limit` events after the cursor that no running transaction can still precede. */
export async function pendingAfter(db: Pool, cursor: EventCursor, limit: number): Promise<PendingEvent[]> {
  const { rows } = await db.query<PendingEvent>({
    ...PENDING_AFTER,
    values: [cursor.insertedBy, cursor.eventId, limit],
  });
  return rows;
}

/** The clicks that behaviour rules judge, and the instants around them that they look at. */
export interface BehaviourWindow {
  messageIds: readonly string[];
  /** The earliest and latest of the batch's clicks. */
  from: Date;
  to: Date;
  /** How far a rule looks around a click (the burst window). */
  reachMs: number;
  /** A message's first open counts when it came this soon after the send. */
  openWindowSeconds: number;
}

const BEHAVIOUR_CONTEXT = {
  name: 'mailtrace_behaviour_context',
  // $2..$3: the batch's clicks one reach out (every click the batch can change); $4..$5: one reach
  // further, read only for messages with a person's click in the first band's edges (a machine's
  // verdict cannot change, so its own neighbours do not matter)
  text: `with near as (
      select e.id, e.occurred_at, e.message_id, e.type, e.url, e.machine, e.machine_reason
      from tracking_event e
      where e.message_id = any($1::uuid[]) and e.type = 'CLICK' and e.occurred_at between $2 and $3
    ), edges as (
      select distinct message_id from near where not machine and (occurred_at < $6 or occurred_at > $7)
    ), far as (
      select e.id, e.occurred_at, e.message_id, e.type, e.url, e.machine, e.machine_reason
      from tracking_event e
      where e.message_id in (select message_id from edges) and e.type = 'CLICK'
        and (e.occurred_at >= $4 and e.occurred_at < $2 or e.occurred_at > $3 and e.occurred_at <= $5)
    ), opens as (
      select o.id, o.occurred_at, m.id as message_id, o.type, o.url, o.machine, o.machine_reason
      from message m cross join lateral (
        select e.id, e.occurred_at, e.type, e.url, e.machine, e.machine_reason from tracking_event e
        where e.message_id = m.id and e.type = 'OPEN' and e.occurred_at <= m.sent_at + make_interval(secs => $8)
        order by e.occurred_at limit 1
      ) o
      where m.id = any($1::uuid[])
    )
    select c.*, m.sent_at from (select * from near union all select * from far union all select * from opens) c
    join message m on m.id = c.message_id`,
};

/**
 * What the behaviour rules see of these messages (index tracking_event_message serves every
 * part): their clicks within one reach of the batch's, and one reach further where a person's click
 * at the edge needs them to be judged; and each message's first open within `openWindowSeconds` of
 * its send. In a flood the clicks around are machines already, so the context grows with the batch
 * and one reach on each side, not two.
 */
export async function behaviourContext(db: Pool, window: BehaviourWindow): Promise<ContextEvent[]> {
  const { from, to, reachMs } = window;
  const at = (base: Date, reaches: number) => new Date(base.getTime() + reaches * reachMs);
  const { rows } = await db.query<ContextEvent>({
    ...BEHAVIOUR_CONTEXT,
    values: [
      window.messageIds,
      at(from, -1),
      at(to, 1),
      at(from, -2),
      at(to, 2),
      from,
      to,
      window.openWindowSeconds,
    ],
  });
  return rows;
}

/**
 * Human clicks become machine clicks, and their messages' counters and campaigns' move by what
 * really flipped (a click already judged a machine moves nothing). In one transaction, taking locks
 * as every counter writer does: message rows in id order first (waiting for them), then the
 * events, then campaign_stats rows in campaign order. The insert path takes its messages in id
 * order too, then its campaign_stats rows (ingest/event.sql.ts), so the two never wait on each
 * other in a cycle.
 */
const LOCK_MESSAGES = {
  name: 'mailtrace_lock_flipped_messages',
  text: 'select id from message where id = any($1::uuid[]) order by id for update',
};

const FLIP_CLICKS = {
  name: 'mailtrace_flip_clicks',
  text: `with target as materialized (
    select e.occurred_at, e.id, f.reason from tracking_event e
    join unnest($1::timestamptz[], $2::uuid[], $3::text[]) as f(occurred_at, id, reason)
      on e.occurred_at = f.occurred_at and e.id = f.id
    where not e.machine order by e.occurred_at, e.id for update of e
  ), flipped as (
    update tracking_event e set machine = true, machine_reason = t.reason from target t
    where e.occurred_at = t.occurred_at and e.id = t.id
    returning e.message_id
  ), moves as (
    select message_id, count(*)::int as n from flipped group by message_id
  ), changed as (
    update message m set click_count = greatest(m.click_count - f.n, 0), machine_click_count = m.machine_click_count + f.n
    from moves f where m.id = f.message_id
    returning m.campaign_id, f.n as moved, m.click_count = 0 as lost_unique
  ), per_campaign as (
    select campaign_id, sum(moved)::int as moved, count(*) filter (where lost_unique)::int as lost
    from changed where campaign_id is not null group by campaign_id
  ), locked_stats as materialized (
    select s.campaign_id from campaign_stats s
    where s.shard = 0 and s.campaign_id in (select campaign_id from per_campaign) order by s.campaign_id for update
  )
  update campaign_stats s set clicks = greatest(s.clicks - p.moved, 0), machine_clicks = s.machine_clicks + p.moved,
    unique_clicks = greatest(s.unique_clicks - p.lost, 0)
  from per_campaign p join locked_stats l on l.campaign_id = p.campaign_id
  where s.campaign_id = p.campaign_id and s.shard = 0`,
};

export interface ClickFlip {
  messageId: string;
  occurredAt: Date;
  id: string;
  reason: string;
}

export async function flipClicks(pool: Pool, flips: readonly ClickFlip[]): Promise<void> {
  if (flips.length === 0) return;
  await withTransaction(pool, async (client) => {
    await client.query({ ...LOCK_MESSAGES, values: [[...new Set(flips.map((f) => f.messageId))]] });
    await client.query({
      ...FLIP_CLICKS,
      values: [flips.map((f) => f.occurredAt), flips.map((f) => f.id), flips.map((f) => f.reason)],
    });
  });
}

/**
 * After each run, process_events sweeps the per-minute abuse counters (tracking_rate,
 * rate-limits/shared-rate-limiter.ts) of minutes no limit counts any more (index tracking_rate_window).
 */
export async function deleteExpiredRateWindows(pool: Pool): Promise<void> {
  await pool.query(`delete from tracking_rate where window_start < now() - interval '10 minutes'`);
}
