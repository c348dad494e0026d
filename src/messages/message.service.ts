import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../db/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import type { SenderService } from '../senders/sender.service.js';
import { EmailMessage } from './message.entity.js';
import type { MessagePage, SendEmailInput } from './message.input.js';

export const MAX_PAGE_SIZE = 500;
const MAX_SUBJECT = 998;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Transactional mail goes ahead of campaign mail in the shared job queue (lower runs first). */
export const TRANSACTIONAL_PRIORITY = 0;
/** Attempts for transient SMTP failures; graphile-worker backs off exponentially between them. */
export const SEND_MAX_ATTEMPTS = 6;

export interface MessageFilter {
  campaignId?: string | null;
  recipient?: string | null;
  first: number;
  after?: string | null;
}

export class MessageService {
  constructor(private readonly senders: SenderService) {}

  /**
   * Records the message, its sequence number and its send job in one transaction: there is never
   * a message without a job, nor a job without its message.
   */
  async queue(em: EntityManager, accountId: string, input: SendEmailInput): Promise<EmailMessage> {
    const recipient = normalizeAddress(input.recipient);
    if (!recipient)
      throw new BadInputError(`recipient "${input.recipient.trim()}" is not a valid email address`);
    const subject = input.subject.trim();
    if (!subject) throw new BadInputError('subject is empty');
    if (subject.length > MAX_SUBJECT)
      throw new BadInputError(`subject is longer than ${MAX_SUBJECT} characters`);
    if (/[\r\n]/.test(subject)) throw new BadInputError('subject must be a single line');
    if (Buffer.byteLength(input.body) > MAX_BODY_BYTES) throw new BadInputError('body is larger than 2 MiB');
    const sender = await this.senders.get(em, accountId, input.senderId);
    return em.transactional(async (tx) => {
      const sequenceId = await nextSequenceId(tx, accountId, recipient);
      const message = tx.create(EmailMessage, {
        accountId,
        senderId: sender.id,
        recipient,
        sequenceId,
        subject,
        body: input.body,
        isHtml: input.isHtml ?? false,
      });
      await tx.persist(message).flush();
      await tx.execute(
        `select graphile_worker.add_job('send_email', json_build_object('messageId', ?::text),
           max_attempts => ?, priority => ?)`,
        [message.id, SEND_MAX_ATTEMPTS, TRANSACTIONAL_PRIORITY],
      );
      return message;
    });
  }

  async get(em: EntityManager, accountId: string, id: string): Promise<EmailMessage | null> {
    if (!isUuid(id)) return null;
    return em.findOne(EmailMessage, { id, accountId });
  }

  /** Newest first, by cursor (the last id of the previous page). */
  async list(em: EntityManager, accountId: string, filter: MessageFilter): Promise<MessagePage> {
    if (!Number.isInteger(filter.first) || filter.first < 1 || filter.first > MAX_PAGE_SIZE) {
      throw new BadInputError(`first must be from 1 to ${MAX_PAGE_SIZE}`);
    }
    const where: Record<string, unknown> = { accountId };
    if (filter.campaignId) {
      if (!isUuid(filter.campaignId)) throw new NotFoundError('campaign', filter.campaignId);
      where.campaignId = filter.campaignId;
    }
    if (filter.recipient) where.recipient = normalizeAddress(filter.recipient) ?? filter.recipient.trim();
    const totalCount = await em.count(EmailMessage, where);
    if (filter.after) where.id = { $lt: decodeCursor(filter.after) };
    const rows = await em.find(EmailMessage, where, { orderBy: { id: 'desc' }, limit: filter.first + 1 });
    const nodes = rows.slice(0, filter.first);
    return {
      nodes,
      totalCount,
      endCursor: nodes.length > 0 ? encodeCursor(nodes[nodes.length - 1].id) : null,
      hasNextPage: rows.length > filter.first,
    };
  }
}

/**
 * The next number in the account's sequence for this recipient. The upsert's row lock makes
 * concurrent sends to one recipient take turns, so numbers have no gaps and no duplicates.
 */
async function nextSequenceId(em: EntityManager, accountId: string, recipient: string): Promise<number> {
  const rows = await em.execute<{ last_sequence_id: number }[]>(
    `insert into recipient_sequence (account_id, recipient, last_sequence_id) values (?, ?, 1)
     on conflict (account_id, recipient) do update set last_sequence_id = recipient_sequence.last_sequence_id + 1
     returning last_sequence_id`,
    [accountId, recipient],
  );
  return rows[0].last_sequence_id;
}

function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!isUuid(id)) throw new BadInputError('after is not a cursor this API returned');
  return id;
}
