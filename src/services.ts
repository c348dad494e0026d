import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import type { NonEmptyArray } from 'type-graphql';
import { GeoIp } from '../geo/geoip.js';
import { AccountResolver } from './accounts/account.resolver.js';
import { AccountService } from './accounts/account.service.js';
import { ApiKeyService } from './accounts/api-key.service.js';
import { CampaignMetricsResolver, CampaignResolver } from './campaigns/campaign.resolver.js';
import { CampaignService } from './campaigns/campaign.service.js';
import { CampaignContent } from './campaigns/campaign-content.js';
import { CampaignFanOut } from './campaigns/campaign-fanout.js';
import { CampaignRepository } from './campaigns/campaign.repository.js';
import type { Config } from './config.js';
import { SecretBox } from './crypto/secret-box.js';
import { ApiRateLimits } from './rate-limits/api-rate-limits.js';
import type { Logger } from './logger.js';
import { waitingJobs } from './jobs/job-queue.sql.js';
import { ServiceMetrics } from './observability/metrics.js';
import { hostLookup } from './net/host-lookup.js';
import { SmtpHostGuard } from './mail/smtp-host-guard.js';
import { SmtpTransports } from './mail/smtp-transports.js';
import { MessageResolver } from './messages/message.resolver.js';
import { MessageService } from './messages/message.service.js';
import { MessageRepository } from './messages/message.repository.js';
import { MessageDelivery } from './messages/message-delivery.js';
import { OutcomeRecorder } from './messages/outcome-recorder.js';
import { ErasureService } from './privacy/erasure.service.js';
import { ErasureRepository } from './privacy/erasure.repository.js';
import { PrivacyResolver } from './privacy/privacy.resolver.js';
import { RetentionService } from './privacy/retention.service.js';
import { RetentionRepository } from './privacy/retention.repository.js';
import { SenderResolver } from './senders/sender.resolver.js';
import { SenderService } from './senders/sender.service.js';
import { SuppressionResolver } from './suppressions/suppression.resolver.js';
import { SuppressionService } from './suppressions/suppression.service.js';
import { SuppressionRepository } from './suppressions/suppression.repository.js';
import { ClickTargets } from './tracking/http/click-targets.js';
import { EventRepository } from './tracking/event.repository.js';
import { EventNotifier } from './live/event-notifier.js';
import { LiveResolver } from './live/live.resolver.js';
import { EventBuffer } from './tracking/ingest/event-buffer.js';
import { EventProcessor } from './tracking/processing/event-processor.js';
import { HitEnricher } from './tracking/ingest/hit-enricher.js';
import { EventWriter } from './tracking/ingest/event-writer.js';
import { TrackingTokens } from './tracking/token.js';
import { TrackingUrls } from './tracking/tracking-urls.js';
import { UnsubscribeService } from './tracking/ingest/unsubscribe.service.js';
import { UnsubscribeRepository } from './tracking/ingest/unsubscribe.repository.js';
import { WebhookDispatch } from './webhooks/webhook-dispatch.js';
import { WebhookResolver } from './webhooks/webhook.resolver.js';
import { WebhookSender } from './webhooks/webhook-sender.js';
import { WebhookService } from './webhooks/webhook.service.js';
import { WebhookRepository } from './webhooks/webhook.repository.js';
import { CampaignStatsRepository } from './campaigns/campaign-stats.repository.js';

/** Builds every service once, wiring dependencies through constructors. */
export function createServices(config: Config, logger: Logger, orm: MikroORM, pool: Pool) {
  const metrics = new ServiceMetrics();
  const tokens = new TrackingTokens(config.trackingSecrets);
  const urls = new TrackingUrls(config.publicUrl, tokens);
  const lookup = hostLookup(config.dnsServers);
  const smtpHosts = new SmtpHostGuard(
    { allowPrivate: config.smtpAllowPrivate, capturePort: config.captureSmtpPort },
    lookup,
  );
  const transports = new SmtpTransports(smtpHosts, logger);
  const apiKeys = new ApiKeyService();
  const apiLimits = new ApiRateLimits(pool, config.apiLimits);
  const accounts = new AccountService(apiKeys);
  const suppressions = new SuppressionService(new SuppressionRepository(pool));
  const secretBox = new SecretBox(config.encryptionKey);
  const senders = new SenderService(secretBox, transports, smtpHosts);
  const webhookRepository = new WebhookRepository(pool);
  const webhookDispatch = new WebhookDispatch(webhookRepository);
  const webhooks = new WebhookService(webhookRepository, secretBox, config.webhooks);
  const webhookSender = new WebhookSender(webhookRepository, secretBox, config.webhooks, lookup, logger);
  const messageRepository = new MessageRepository(pool);
  const messages = new MessageService(messageRepository, senders, suppressions, config.sendQuota);
  const campaignRepository = new CampaignRepository(pool);
  const campaigns = new CampaignService(campaignRepository, senders, suppressions, config.sendQuota);
  const campaignContent = new CampaignContent(campaignRepository);
  const fanOut = new CampaignFanOut(campaignRepository, suppressions, campaignContent, logger);
  const delivery = new MessageDelivery({
    messages: messageRepository,
    outcomes: new OutcomeRecorder(messageRepository, logger),
    senders,
    transports,
    urls,
    suppressions,
    campaignContent,
    webhooks: webhookDispatch,
    metrics,
    logger,
    unsubscribeMailto: config.unsubscribeMailto,
  });
  const events = new EventRepository(pool);
  const campaignStats = new CampaignStatsRepository(pool);
  const notifier = new EventNotifier(pool, logger);
  let geo: Promise<GeoIp> | null = null;
  const openGeo = () => {
    geo ??= GeoIp.open(config.geoipDbPaths, logger);
    return geo;
  };
  const enricher = new HitEnricher(openGeo, config.trackingPrivacy);
  const eventWriter = new EventWriter({
    pool,
    limits: config.trackingLimits,
    enricher,
    notifier,
    webhooks: webhookDispatch,
    metrics,
    logger,
  });
  const eventProcessor = new EventProcessor({
    pool,
    notifier,
    webhooks: webhookDispatch,
    metrics,
    logger,
  });
  const retention = new RetentionService(new RetentionRepository(pool), config.retentionDays, logger);
  const erasure = new ErasureService(new ErasureRepository(pool));
  const clickTargets = new ClickTargets(pool);
  const unsubscribes = new UnsubscribeService({
    unsubscribes: new UnsubscribeRepository(pool),
    suppressions,
    notifier,
    enricher,
  });
  const eventBuffer = new EventBuffer((hits) => eventWriter.write(hits), {
    limit: config.trackingBufferLimit,
    batchSize: 2_000,
    onDrop: () => metrics.hitsDropped.inc(),
    logger,
  });
  metrics.readings([
    {
      name: 'mailtrace_tracking_buffer_depth',
      help: 'Hits answered and held in memory, not stored yet.',
      read: async () => eventBuffer.stats().pending,
    },
    {
      name: 'mailtrace_processing_lag_seconds',
      help: 'Age of the next stored event process_events will judge; 0 when none waits.',
      read: () => events.processingLagSeconds(),
    },
    {
      name: 'mailtrace_jobs_waiting',
      help: 'Jobs due and not taken yet, by task (the queue all worker processes share).',
      label: 'task',
      read: () => waitingJobs(pool),
    },
  ]);
  /** Every resolver, built once: the GraphQL schema is made of exactly these (graphql/schema.ts). */
  const resolvers: NonEmptyArray<object> = [
    new AccountResolver(apiKeys, accounts),
    new SenderResolver(senders),
    new MessageResolver(messages),
    new CampaignResolver(campaigns, messages, campaignStats),
    new CampaignMetricsResolver(),
    new SuppressionResolver(suppressions),
    new PrivacyResolver(erasure),
    new LiveResolver(),
    new WebhookResolver(webhooks),
  ];
  return {
    orm,
    pool,
    metrics,
    tokens,
    urls,
    transports,
    apiKeys,
    apiLimits,
    accounts,
    suppressions,
    senders,
    messages,
    campaigns,
    fanOut,
    delivery,
    events,
    campaignStats,
    notifier,
    eventWriter,
    eventBuffer,
    eventProcessor,
    retention,
    webhooks,
    webhookSender,
    erasure,
    /** Closes the GeoIP file watchers, if the database was opened. */
    async closeGeo() {
      (await geo)?.close();
    },
    clickTargets,
    unsubscribes,
    resolvers,
  };
}

export type Services = ReturnType<typeof createServices>;
