import type { Task } from 'graphile-worker';
import type { WorkerServices } from './worker-services.js';

/** tracking route -> event rows -> this job: behaviour verdicts on new events, in batches. */
export function processEventsTask(services: WorkerServices): Task<'process_events'> {
  return async () => {
    await services.eventProcessor.run();
  };
}
