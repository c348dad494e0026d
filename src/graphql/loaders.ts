import DataLoader from 'dataloader';
import type { EmailMessage } from '../messages/message.entity.js';
import type { EventRepository } from '../tracking/event.repository.js';
import type { TrackingEvent } from '../tracking/tracking-event.type.js';

/** Batches every per-row lookup of one request into one query per kind (no N+1). */
export interface Loaders {
  lastOpen: DataLoader<EmailMessage, TrackingEvent | null>;
  eventsOf(first: number): DataLoader<string, TrackingEvent[]>;
}

export function createLoaders(events: EventRepository, accountId: string | null): Loaders {
  const eventLoaders = new Map<number, DataLoader<string, TrackingEvent[]>>();
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
    eventsOf(first) {
      let loader = eventLoaders.get(first);
      if (!loader) {
        loader = new DataLoader(async (messageIds) => {
          const found = accountId ? await events.latestOfMessages(accountId, messageIds, first) : [];
          return messageIds.map((id) => found.filter((e) => e.messageId === id));
        });
        eventLoaders.set(first, loader);
      }
      return loader;
    },
  };
}
