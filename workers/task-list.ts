import type { TaskList } from 'graphile-worker';
import type { WorkerServices } from './worker-services.js';
import { deliverWebhookTask } from './deliver-webhook.js';
import { fanOutCampaignTask } from './fan-out-campaign.js';
import { processEventsTask } from './process-events.js';
import { purgeExpiredTask } from './purge-expired.js';
import { sendMessagesTask } from './send-messages.js';

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
