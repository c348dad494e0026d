import type { Task } from 'graphile-worker';
import { isUuid } from '../src/db/ids.js';
import type { WorkerServices } from './worker-services.js';

/** sendCampaign -> this job -> messages and their send_messages jobs, in batches; resumes where it stopped. */
export function fanOutCampaignTask(services: WorkerServices): Task<'fan_out_campaign'> {
  return async (payload, helpers) => {
    const campaignId = (payload as { campaignId?: unknown } | null)?.campaignId;
    if (typeof campaignId !== 'string' || !isUuid(campaignId)) {
      helpers.logger.error(`fan_out_campaign job ${helpers.job.id} has a bad payload; dropping it`);
      return;
    }
    await services.fanOut.run(campaignId);
  };
}
