import { Migration } from '@mikro-orm/migrations';

/** Human opens per campaign and country, counted by process_events as it resolves locations. */
export class Migration20261122045000_campaign_countries extends Migration {
  override name = 'Migration20261122045000_campaign_countries';

  override up(): void {
    this.addSql(`
create table campaign_country (
  campaign_id uuid not null references campaign (id) on delete cascade,
  country text not null,
  opens integer not null,
  primary key (campaign_id, country)
);
insert into campaign_country (campaign_id, country, opens)
select campaign_id, country, count(*) from tracking_event
where campaign_id is not null and type = 'OPEN' and not machine and country is not null
group by campaign_id, country;
`);
  }
}
