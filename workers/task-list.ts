import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { MessageDelivery } from '../src/messages/message-delivery.js';
import { sendEmailTask } from './send-email.js';

export interface WorkerServices {
  orm: MikroORM;
  delivery: MessageDelivery;
}

/** Every task the workers run, by identifier. */
export function createTaskList(services: WorkerServices): TaskList {
  return {
    send_email: sendEmailTask(services) as TaskList[string],
  };
}
