import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { CampaignFanOut } from '../src/campaigns/campaign-fanout.js';
import type { MessageDelivery } from '../src/messages/message-delivery.js';
import type { RetentionService } from '../src/privacy/retention.service.js';
import type { EventProcessor } from '../src/tracking/processing/event-processor.js';
import type { WebhookSender } from '../src/webhooks/webhook-sender.js';
import { deliverWebhookTask } from './deliver-webhook.js';
import { fanOutCampaignTask } from './fan-out-campaign.js';
import { processEventsTask } from './process-events.js';
import { purgeExpiredTask } from './purge-expired.js';
import { sendMessagesTask } from './send-messages.js';

export interface WorkerServices {
  orm: MikroORM;
  delivery: MessageDelivery;
  fanOut: CampaignFanOut;
  eventProcessor: EventProcessor;
  retention: RetentionService;
  webhookSender: WebhookSender;
}

/** Every task the workers run, by identifier. */
export function createTaskList(services: WorkerServices): TaskList {
  return {
    send_messages: sendMessagesTask(services) as TaskList[string],
    fan_out_campaign: fanOutCampaignTask(services) as TaskList[string],
    process_events: processEventsTask(services) as TaskList[string],
    purge_expired: purgeExpiredTask(services) as TaskList[string],
    deliver_webhook: deliverWebhookTask(services) as TaskList[string],
  };
}
