/**
 * `npm run bench:metrics`: campaign metrics at volume. Seeds 100 campaigns and 5,000,000 tracking
 * events (once; later runs reuse them), then times through the GraphQL API:
 * - `campaign(id) { metrics { ...every contract field, topCountries } }` (target < 100 ms),
 * - `campaigns { name metrics { openRate } }` for all 100 (target < 300 ms),
 * and, as the baseline measured in the same run, the same totals aggregated from the raw events.
 *
 * - Its own database (see bench/support.ts); the seed stays there for later runs.
 * - BENCH_EVENTS (5000000), BENCH_CAMPAIGNS (100), BENCH_MESSAGES_PER_CAMPAIGN (2000), BENCH_RUNS (20).
 */
import { performance } from 'node:perf_hooks';
import type { App } from '../src/app.js';
import { ensureEventPartitions } from '../src/db/partitions.js';
import { type BenchService, envInt, median, startBenchService } from './support.js';

const EVENTS = envInt('BENCH_EVENTS', 5_000_000);
const CAMPAIGNS = envInt('BENCH_CAMPAIGNS', 100);
const MESSAGES_PER_CAMPAIGN = envInt('BENCH_MESSAGES_PER_CAMPAIGN', 2_000);
const RUNS = envInt('BENCH_RUNS', 20);
const DAYS = 30;
const MARKER = `bench-metrics-${CAMPAIGNS}x${MESSAGES_PER_CAMPAIGN}-${EVENTS}`;

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Seeds with set-based SQL (minutes, not hours); counters are derived as the service keeps them. */
async function seed(app: App): Promise<string> {
  const pool = app.services.pool;
  const existing = await pool.query<{ id: string; seeded: boolean }>(
    `select id, exists (select 1 from campaign_stats s join campaign c on c.id = s.campaign_id
                        where c.account_id = a.id and s.opens > 0) as seeded
     from account a where name = $1`,
    [MARKER],
  );
  if (existing.rows[0]?.seeded) {
    console.log(`reusing the data seeded earlier (${MARKER})`);
    return existing.rows[0].id;
  }
  // a seed that stopped half-way is started again
  if (existing.rows[0]) {
    await pool.query('delete from tracking_event where account_id = $1', [existing.rows[0].id]);
    await pool.query('delete from account where id = $1', [existing.rows[0].id]);
  }
  const em = app.services.orm.em.fork();
  const { account } = await app.services.accounts.create(em, MARKER);
  const sender = await app.services.senders.create(em, account.id, {
    key: 'bench',
    email: 'bench@example.com',
    password: 'x',
    smtpHost: '127.0.0.1',
    smtpPort: 2525,
  });
  const now = Date.now();
  await ensureEventPartitions(pool, new Date(now - DAYS * 86_400_000), new Date(now));
  let started = performance.now();
  await pool.query(
    `insert into campaign (id, account_id, name, subject, html, sender_id, status, recipient_count, created_at)
     select gen_random_uuid(), $1, 'Campaign ' || n, 'Hello', '<p>Hi</p>', $2, 'SENT', $3, now() - interval '${DAYS} days'
     from generate_series(1, $4) as n`,
    [account.id, sender.id, MESSAGES_PER_CAMPAIGN, CAMPAIGNS],
  );
  await pool.query(
    `insert into message (id, account_id, campaign_id, sender_id, recipient, sequence_id, subject, is_html, status, queued_at, sent_at)
     select gen_random_uuid(), $1, c.id, $2, 'r' || n || '-' || left(c.id::text, 8) || '@example.com', 1, 'Hello', true,
            case when n % 50 = 0 then 'FAILED' else 'SENT' end,
            now() - interval '${DAYS} days', now() - interval '${DAYS} days'
     from campaign c, generate_series(1, $3) as n where c.account_id = $1`,
    [account.id, sender.id, MESSAGES_PER_CAMPAIGN],
  );
  console.log(
    `seeded ${CAMPAIGNS} campaigns, ${CAMPAIGNS * MESSAGES_PER_CAMPAIGN} messages in ${ms(performance.now() - started)}`,
  );
  started = performance.now();
  const countries = `(array['US','GB','DE','FR','IN','BR','CA','AU','NL','ES','IT','JP','SE','PL','MX'])`;
  const chunk = 500_000;
  for (let done = 0; done < EVENTS; done += chunk) {
    await pool.query(
      `with m as (select id, campaign_id, row_number() over () - 1 as i from message where account_id = $1),
            total as (select count(*) as n from m)
       insert into tracking_event (id, occurred_at, account_id, message_id, campaign_id, type, ip_address, user_agent,
                                   machine, machine_reason, country, client, device, inserted_by)
       select gen_random_uuid(), now() - random() * interval '${DAYS - 1} days', $1, m.id, m.campaign_id,
              case when g % 5 = 0 then 'CLICK' else 'OPEN' end, '81.2.69.160', 'Mozilla/5.0 (bench)',
              g % 7 = 0, case when g % 7 = 0 then 'apple_mpp' end,
              ${countries}[1 + (g % 15)], 'Apple Mail', 'mobile', null
       from generate_series($2::bigint, $3::bigint) as g cross join total
       join m on m.i = (g * 7919) % total.n`,
      [account.id, done, Math.min(done + chunk, EVENTS) - 1],
    );
    console.log(
      `  events: ${Math.min(done + chunk, EVENTS).toLocaleString('en-US')} of ${EVENTS.toLocaleString('en-US')}`,
    );
  }
  console.log(`seeded ${EVENTS.toLocaleString('en-US')} events in ${ms(performance.now() - started)}`);
  // the counters the service keeps as events arrive, derived once from the seeded rows
  await pool.query(
    `with per_message as (
       select message_id, count(*) filter (where type = 'OPEN' and not machine) as opens,
              count(*) filter (where type = 'OPEN' and machine) as machine_opens,
              count(*) filter (where type = 'CLICK' and not machine) as clicks,
              count(*) filter (where type = 'CLICK' and machine) as machine_clicks,
              min(occurred_at) filter (where type = 'OPEN' and not machine) as first_open
       from tracking_event where account_id = $1 group by message_id)
     update message m set open_count = p.opens, machine_open_count = p.machine_opens, click_count = p.clicks,
       machine_click_count = p.machine_clicks, first_opened_at = p.first_open
     from per_message p where m.id = p.message_id`,
    [account.id],
  );
  await pool.query(
    `update campaign_stats s set sent = a.sent, failed = a.failed, opens = a.opens, unique_opens = a.unique_opens,
       machine_opens = a.machine_opens, clicks = a.clicks, unique_clicks = a.unique_clicks, machine_clicks = a.machine_clicks
     from (select campaign_id, count(*) filter (where status = 'SENT') as sent, count(*) filter (where status = 'FAILED') as failed,
             sum(open_count) as opens, count(*) filter (where open_count > 0) as unique_opens, sum(machine_open_count) as machine_opens,
             sum(click_count) as clicks, count(*) filter (where click_count > 0) as unique_clicks,
             sum(machine_click_count) as machine_clicks
           from message where account_id = $1 group by campaign_id) a
     where s.campaign_id = a.campaign_id and s.shard = 0`,
    [account.id],
  );
  await pool.query('analyze');
  return account.id;
}

async function main(): Promise<void> {
  let service: BenchService | null = null;
  try {
    service = await startBenchService('metrics', { ROLE: 'api', HOST: '127.0.0.1', PORT: '0' });
    const { app } = service;
    const accountId = await seed(app);
    const port = await app.listen();
    const key = (await app.services.apiKeys.create(app.services.orm.em.fork(), accountId, 'bench')).secret;
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { errors?: unknown; data?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return { elapsed: performance.now() - started, data: body.data as Record<string, unknown> };
    };
    const { rows: campaigns } = await app.services.pool.query<{ id: string }>(
      'select id from campaign where account_id = $1',
      [accountId],
    );
    const ONE = `query($id: ID!) { campaign(id: $id) { metrics { recipients sent failed suppressed opens uniqueOpens machineOpens
      clicks uniqueClicks unsubscribes openRate clickRate unsubscribeRate medianTimeToOpenSeconds topCountries(limit: 10) { country opens } } } }`;
    const ALL = '{ campaigns { name metrics { openRate } } }';
    const one: number[] = [];
    const all: number[] = [];
    const raw: number[] = [];
    await gql(ALL); // warm up
    for (let run = 0; run < RUNS; run++) {
      const id = campaigns[run % campaigns.length].id;
      one.push((await gql(ONE, { id })).elapsed);
      all.push((await gql(ALL)).elapsed);
      const started = performance.now();
      await app.services.pool.query(
        `select count(*) filter (where type = 'OPEN' and not machine) as opens,
                count(distinct message_id) filter (where type = 'OPEN' and not machine) as unique_opens,
                count(*) filter (where type = 'CLICK' and not machine) as clicks,
                count(distinct message_id) filter (where type = 'CLICK' and not machine) as unique_clicks
         from tracking_event where campaign_id = $1`,
        [id],
      );
      raw.push(performance.now() - started);
    }
    const events = await app.services.pool.query<{ n: string }>(
      'select count(*) as n from tracking_event where account_id = $1',
      [accountId],
    );
    console.log('');
    console.log('summary');
    console.log(
      `  data: ${campaigns.length} campaigns, ${Number(events.rows[0].n).toLocaleString('en-US')} events; ${RUNS} runs each`,
    );
    console.log(
      `  campaign(id) { metrics { all fields, topCountries } }: median ${ms(median(one))} (target < 100 ms) ${median(one) < 100 ? 'ok' : 'ABOVE TARGET'}`,
    );
    console.log(
      `  campaigns { name metrics { openRate } } (${campaigns.length}): median ${ms(median(all))} (target < 300 ms) ${median(all) < 300 ? 'ok' : 'ABOVE TARGET'}`,
    );
    console.log(
      `  baseline, totals of one campaign aggregated from its raw events: median ${ms(median(raw))}`,
    );
  } finally {
    await service?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:metrics failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
