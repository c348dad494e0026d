import { type EntityManager, sql } from '@mikro-orm/postgresql';
import { takeSendQuota } from '../accounts/send-quota.js';
import type { SendQuota } from '../config.js';
import { isUuid, newId } from '../db/ids.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../graphql/page.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { normalizeAddress } from '../mail/address.js';
import type { SenderService } from '../senders/sender.service.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import { EmailMessage, MessageStatus } from './message.entity.js';
import type { MessageRepository } from './message.repository.js';
import type { SendEmailInput } from './message.input.js';
import type { MessagePage } from './message.type.js';
import { enqueueSends } from '../jobs/enqueue.js';
import { nextSequenceIds } from './sequence.sql.js';

const MAX_SUBJECT = 998;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface MessageFilter {
  campaignId?: string | null;
  /** true: only single sends (sendEmail); false: only campaign messages. */
  transactional?: boolean | null;
  recipient?: string | null;
  first: number;
  after?: string | null;
}

export class MessageService {
  constructor(
    private readonly repository: MessageRepository,
    private readonly senders: SenderService,
    private readonly suppressions: SuppressionService,
    private readonly quota: SendQuota,
  ) {}

  /**
   * Records the message, its sequence number and its send job in one transaction: there is never
   * a message without a job, nor a job without its message. A suppressed recipient gets a
   * SUPPRESSED message and no job.
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
    const id = await this.repository.transaction(async (tx) => {
      const suppressed = (await this.suppressions.suppressedAmong(accountId, [recipient], tx)).size > 0;
      if (!suppressed) await takeSendQuota(tx, accountId, 1, this.quota);
      const sequenceId = (await nextSequenceIds(tx, accountId, [recipient])).get(recipient)!;
      // made after the sequence lock, so that id order (newest first) follows sequence order
      const id = newId();
      await this.repository.insertTransactional(tx, {
        id,
        accountId,
        senderId: sender.id,
        recipient,
        sequenceId,
        subject,
        body: input.body,
        isHtml: input.isHtml ?? false,
        status: suppressed ? MessageStatus.SUPPRESSED : MessageStatus.QUEUED,
      });
      if (!suppressed) await enqueueSends(tx, [{ id, campaignId: null }]);
      return id;
    });
    return em.findOneOrFail(EmailMessage, id);
  }

  async get(em: EntityManager, accountId: string, id: string): Promise<EmailMessage | null> {
    if (!isUuid(id)) return null;
    return em.findOne(EmailMessage, { id, accountId });
  }

  /** Newest first, by cursor (the last id of the previous page). */
  async list(em: EntityManager, accountId: string, filter: MessageFilter): Promise<MessagePage> {
    checkPageSize(filter.first);
    const where: Record<string | symbol, unknown> = { accountId };
    if (filter.campaignId) {
      if (!isUuid(filter.campaignId)) throw new NotFoundError('campaign', filter.campaignId);
      if (filter.transactional)
        throw new BadInputError('campaignId and transactional: true exclude each other');
      where.campaignId = filter.campaignId;
    } else if (filter.transactional !== null && filter.transactional !== undefined) {
      where.campaignId = filter.transactional ? null : { $ne: null };
    }
    // whatever its case, as suppressions and forgetRecipient match (index message_account_recipient_lower)
    if (filter.recipient) where[sql`lower(recipient)`] = filter.recipient.trim().toLowerCase();
    const totalCount = await em.count(EmailMessage, where);
    if (filter.after) where.id = { $lt: decodeCursor(filter.after, 1, ([id]) => isUuid(id))[0] };
    const rows = await em.find(EmailMessage, where, { orderBy: { id: 'desc' }, limit: filter.first + 1 });
    const nodes = rows.slice(0, filter.first);
    return {
      nodes,
      totalCount,
      endCursor: nodes.length > 0 ? encodeCursor(nodes[nodes.length - 1].id) : null,
      hasNextPage: rows.length > filter.first,
    };
  }

  /**
   * The first page of each campaign's messages, in three queries for any number of campaigns (a
   * list of campaigns with their messages is not N+1): the ids walk message_campaign (campaign_id,
   * id desc) per campaign, then the rows and the counts come in one query each.
   */
  async firstPagesOfCampaigns(
    em: EntityManager,
    accountId: string,
    campaignIds: readonly string[],
    first: number,
  ): Promise<MessagePage[]> {
    checkPageSize(first);
    const [pages, counts] = await Promise.all([
      this.repository.newestIdsOfCampaigns(accountId, campaignIds, first + 1),
      this.repository.countsOfCampaigns(accountId, campaignIds),
    ]);
    const wanted = pages.flatMap((p) => p.ids.slice(0, first));
    const found = wanted.length > 0 ? await em.find(EmailMessage, { id: { $in: wanted }, accountId }) : [];
    const byId = new Map(found.map((m) => [m.id, m]));
    const idsOf = new Map(pages.map((p) => [p.campaign_id, p.ids]));
    const totals = new Map(counts.map((c) => [c.campaign_id, c.total]));
    return campaignIds.map((campaignId) => {
      const ids = idsOf.get(campaignId) ?? [];
      const nodes = ids.slice(0, first).flatMap((id) => byId.get(id) ?? []);
      return {
        nodes,
        totalCount: totals.get(campaignId) ?? 0,
        endCursor: nodes.length > 0 ? encodeCursor(nodes[nodes.length - 1].id) : null,
        hasNextPage: ids.length > first,
      };
    });
  }
}
