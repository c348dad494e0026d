import type { Pool } from 'pg';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'The account across all its campaigns (from their counters), plus its single sends.',
})
export class AccountOverview {
  @Field(() => Int)
  campaigns!: number;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Int, { description: 'campaign messages sent' })
  sent!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  suppressed!: number;

  @Field(() => Int)
  opens!: number;

  @Field(() => Int)
  uniqueOpens!: number;

  @Field(() => Int)
  machineOpens!: number;

  @Field(() => Int)
  clicks!: number;

  @Field(() => Int)
  uniqueClicks!: number;

  @Field(() => Int)
  unsubscribes!: number;

  @Field(() => Float, { description: 'uniqueOpens / sent over all campaigns' })
  openRate!: number;

  @Field(() => Float)
  clickRate!: number;

  @Field(() => Int, { description: 'sendEmail messages sent (outside campaigns)' })
  transactionalSent!: number;
}

export async function loadAccountOverview(pool: Pool, accountId: string): Promise<AccountOverview> {
  const { rows } = await pool.query(
    `select count(distinct c.id)::int as campaigns,
       coalesce(sum(c.recipient_count) filter (where s.shard = 0), 0)::int as recipients,
       coalesce(sum(s.sent), 0)::int as sent, coalesce(sum(s.failed), 0)::int as failed,
       coalesce(sum(s.suppressed), 0)::int as suppressed, coalesce(sum(s.opens), 0)::int as opens,
       coalesce(sum(s.unique_opens), 0)::int as "uniqueOpens", coalesce(sum(s.machine_opens), 0)::int as "machineOpens",
       coalesce(sum(s.clicks), 0)::int as clicks, coalesce(sum(s.unique_clicks), 0)::int as "uniqueClicks",
       coalesce(sum(s.unsubscribes), 0)::int as unsubscribes,
       (select count(*) from message m where m.account_id = $1 and m.campaign_id is null and m.status = 'SENT')::int
         as "transactionalSent"
     from campaign c join campaign_stats s on s.campaign_id = c.id where c.account_id = $1`,
    [accountId],
  );
  const row = rows[0];
  const rate = (n: number) => (row.sent === 0 ? 0 : n / row.sent);
  return Object.assign(new AccountOverview(), row, {
    openRate: rate(row.uniqueOpens),
    clickRate: rate(row.uniqueClicks),
  });
}
