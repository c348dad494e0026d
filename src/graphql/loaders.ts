import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type {
  CampaignMetrics,
  ClientCount,
  CountryCount,
  LinkCount,
  TimeBucket,
  TimelinePoint,
} from '../campaigns/campaign-metrics.type.js';
import type { CampaignStatsRepository } from '../campaigns/campaign-stats.repository.js';
import type { EmailMessage } from '../messages/message.entity.js';
import type { MessagePage } from '../messages/message.type.js';
import type { MessageService } from '../messages/message.service.js';
import { Sender } from '../senders/sender.entity.js';
import type { EventRepository } from '../tracking/event.repository.js';
import type { TrackingEvent } from '../tracking/tracking-event.type.js';

/** Batches every per-row lookup of one request into one query per kind (no N+1). */
export interface Loaders {
  lastOpen: DataLoader<EmailMessage, TrackingEvent | null>;
  eventsOf(first: number): DataLoader<string, TrackingEvent[]>;
  campaignEvents(first: number): DataLoader<string, TrackingEvent[]>;
  /** The first page of messages of campaigns, by campaign id. */
  campaignMessages(first: number): DataLoader<string, MessagePage>;
  /** Senders by id, deleted ones included (a campaign keeps showing the sender it was made with). */
  sender: DataLoader<string, Sender>;
  campaignMetrics: DataLoader<string, CampaignMetrics>;
  topCountries(limit: number): DataLoader<string, CountryCount[]>;
  medianTimeToOpen: DataLoader<string, number | null>;
  timeline(bucket: TimeBucket): DataLoader<string, TimelinePoint[]>;
  clients(limit: number): DataLoader<string, ClientCount[]>;
  links(limit: number): DataLoader<string, LinkCount[]>;
}

export interface LoaderSources {
  em: EntityManager;
  stats: CampaignStatsRepository;
  events: EventRepository;
  messages: MessageService;
}

/** One DataLoader per distinct argument value (e.g. `first`, `limit`), made on first use. */
function perArgument<A, K, V>(make: (argument: A) => DataLoader<K, V>): (argument: A) => DataLoader<K, V> {
  const loaders = new Map<A, DataLoader<K, V>>();
  return (argument) => {
    let loader = loaders.get(argument);
    if (!loader) {
      loader = make(argument);
      loaders.set(argument, loader);
    }
    return loader;
  };
}

export function createLoaders(
  { em, stats, events, messages }: LoaderSources,
  accountId: string | null,
): Loaders {
  return {
    lastOpen: new DataLoader(
      async (messages) => {
        const keys = messages.flatMap((m) =>
          m.lastOpenEventId && m.lastOpenedAt ? [{ id: m.lastOpenEventId, occurredAt: m.lastOpenedAt }] : [],
        );
        const found = accountId && keys.length > 0 ? await events.byKeys(accountId, keys) : [];
        const byId = new Map(found.map((e) => [e.id, e]));
        return messages.map((m) => (m.lastOpenEventId ? (byId.get(m.lastOpenEventId) ?? null) : null));
      },
      { cacheKeyFn: (m) => m.id },
    ),
    eventsOf: perArgument(
      (first: number) =>
        new DataLoader(async (messageIds: readonly string[]) => {
          const found = accountId ? await events.latestOfMessages(accountId, messageIds, first) : [];
          return messageIds.map((id) => found.filter((e) => e.messageId === id));
        }),
    ),
    campaignEvents: perArgument(
      (first: number) =>
        new DataLoader(async (campaignIds: readonly string[]) => {
          const found = accountId ? await events.latestOfCampaigns(accountId, campaignIds, first) : [];
          return campaignIds.map((id) => found.filter((e) => e.campaignId === id));
        }),
    ),
    campaignMessages: perArgument(
      (first: number) =>
        new DataLoader(async (campaignIds: readonly string[]) =>
          accountId
            ? messages.firstPagesOfCampaigns(em, accountId, campaignIds, first)
            : campaignIds.map(() => new Error('no account')),
        ),
    ),
    sender: new DataLoader(async (ids) => {
      if (!accountId) return ids.map(() => new Error('no account'));
      const senders = await em.find(Sender, { id: { $in: [...ids] }, accountId });
      const byId = new Map(senders.map((s) => [s.id, s]));
      return ids.map((id) => byId.get(id) ?? new Error(`sender ${id} not found`));
    }),
    campaignMetrics: new DataLoader((campaignIds) => stats.metrics(campaignIds)),
    topCountries: perArgument((limit: number) => new DataLoader((ids) => stats.topCountries(ids, limit))),
    medianTimeToOpen: new DataLoader((ids) => stats.medianTimeToOpen(ids)),
    timeline: perArgument((bucket: TimeBucket) => new DataLoader((ids) => stats.timelines(ids, bucket))),
    clients: perArgument((limit: number) => new DataLoader((ids) => stats.clients(ids, limit))),
    links: perArgument((limit: number) => new DataLoader((ids) => stats.links(ids, limit))),
  };
}
