import { Account } from './accounts/account.entity.js';
import { ApiKey } from './accounts/api-key.entity.js';
import { Campaign } from './campaigns/campaign.entity.js';
import { EmailMessage } from './messages/message.entity.js';
import { Sender } from './senders/sender.entity.js';

/** The MikroORM entities, given to db/orm.ts (which knows no domain). */
export const ENTITIES = [Account, ApiKey, Sender, EmailMessage, Campaign];
