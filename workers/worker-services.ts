import type { MikroORM } from '@mikro-orm/postgresql';
import type { CampaignFanOut } from '../src/campaigns/campaign-fanout.js';
import type { MessageDelivery } from '../src/messages/message-delivery.js';
import type { RetentionService } from '../src/privacy/retention.service.js';
import type { EventProcessor } from '../src/tracking/processing/event-processor.js';
import type { WebhookSender } from '../src/webhooks/webhook-sender.js';

/** What the tasks get: the services they call, built once per worker process. */
export interface WorkerServices {
  orm: MikroORM;
  delivery: MessageDelivery;
  fanOut: CampaignFanOut;
  eventProcessor: EventProcessor;
  retention: RetentionService;
  webhookSender: WebhookSender;
}
