import type { EntityManager } from '@mikro-orm/postgresql';
import { takeSendQuota } from '../accounts/send-quota.js';
import { enqueueFanOut } from '../jobs/enqueue.js';
import type { SendQuota } from '../config.js';
import { isUuid } from '../db/ids.js';
import type { Transaction } from '../db/transaction.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { SenderService } from '../senders/sender.service.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import { Campaign, CampaignStatus } from './campaign.entity.js';
import type { CampaignRepository, LockedCampaign } from './campaign.repository.js';
import type { CampaignInput, RecipientInput } from './campaign.input.js';
import type { AddRecipientsResult } from './campaign.type.js';
import { parseRecipientsCsv, type RecipientRow, recipientsFromInputs } from './recipient-import.js';

const MAX_NAME = 200;
const MAX_SUBJECT = 998;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_RECIPIENTS_PER_CALL = 10_000;
const INSERT_BATCH = 5_000;

export class CampaignService {
  constructor(
    private readonly repository: CampaignRepository,
    private readonly senders: SenderService,
    private readonly suppressions: SuppressionService,
    private readonly quota: SendQuota,
  ) {}

  list(em: EntityManager, accountId: string): Promise<Campaign[]> {
    return em.find(Campaign, { accountId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  async get(em: EntityManager, accountId: string, id: string): Promise<Campaign | null> {
    return isUuid(id) ? em.findOne(Campaign, { id, accountId }) : null;
  }

  async create(em: EntityManager, accountId: string, input: CampaignInput): Promise<Campaign> {
    const fields = await this.validate(em, accountId, input);
    const campaign = em.create(Campaign, { accountId, ...fields });
    await em.persist(campaign).flush();
    return campaign;
  }

  /** Only a DRAFT can change: what a recipient receives must be what the campaign says. */
  async update(em: EntityManager, accountId: string, id: string, input: CampaignInput): Promise<Campaign> {
    const campaign = await this.require(em, accountId, id);
    assertDraft(campaign.status, 'edited');
    em.assign(campaign, { ...(await this.validate(em, accountId, input)), updatedAt: new Date() });
    await em.flush();
    return campaign;
  }

  addRecipients(
    accountId: string,
    campaignId: string,
    inputs: RecipientInput[],
  ): Promise<AddRecipientsResult> {
    if (inputs.length > MAX_RECIPIENTS_PER_CALL) {
      throw new BadInputError(
        `at most ${MAX_RECIPIENTS_PER_CALL} recipients per call; use importRecipients for more`,
      );
    }
    const { rows, errors } = recipientsFromInputs(inputs);
    return this.insertRecipients(accountId, campaignId, rows, errors);
  }

  importRecipients(accountId: string, campaignId: string, csv: string): Promise<AddRecipientsResult> {
    const { rows, errors } = parseRecipientsCsv(csv);
    return this.insertRecipients(accountId, campaignId, rows, errors);
  }

  /**
   * DRAFT -> SENDING and one fan-out job, in one transaction. The job turns recipients into
   * messages in batches (see CampaignFanOut), so this returns at once whatever the list's size.
   */
  async send(em: EntityManager, accountId: string, id: string): Promise<Campaign> {
    await this.repository.transaction(async (tx) => {
      const campaign = await this.lockCampaign(tx, accountId, id);
      if (campaign.status !== CampaignStatus.DRAFT) {
        throw new BadInputError(
          `campaign ${id} was already sent (it is ${campaign.status}); create a new campaign to send again`,
        );
      }
      if (campaign.recipient_count === 0)
        throw new BadInputError('the campaign has no recipients: add some first');
      if (!(await this.repository.senderIsLive(tx, campaign.sender_id))) {
        throw new BadInputError(
          "the campaign's sender was deleted: choose another sender with updateCampaign",
        );
      }
      // every recipient counts, suppressed ones too: the fan-out skips them later
      await takeSendQuota(tx, accountId, campaign.recipient_count, this.quota);
      await this.repository.markSending(tx, id);
      await enqueueFanOut(tx, id);
    });
    return em.refreshOrFail(await this.require(em, accountId, id));
  }

  private async require(em: EntityManager, accountId: string, id: string): Promise<Campaign> {
    const campaign = await this.get(em, accountId, id);
    if (!campaign) throw new NotFoundError('campaign', id);
    return campaign;
  }

  private async validate(em: EntityManager, accountId: string, input: CampaignInput) {
    const name = input.name.trim();
    if (!name || name.length > MAX_NAME) throw new BadInputError(`name must be 1 to ${MAX_NAME} characters`);
    const subject = input.subject.trim();
    if (!subject || subject.length > MAX_SUBJECT)
      throw new BadInputError(`subject must be 1 to ${MAX_SUBJECT} characters`);
    if (/[\r\n]/.test(subject)) throw new BadInputError('subject must be a single line');
    if (!input.html.trim()) throw new BadInputError('html is empty');
    for (const [field, value] of [
      ['html', input.html],
      ['text', input.text ?? ''],
    ] as const) {
      if (Buffer.byteLength(value) > MAX_BODY_BYTES) throw new BadInputError(`${field} is larger than 2 MiB`);
    }
    const sender = await this.senders.get(em, accountId, input.senderId);
    return {
      name,
      subject,
      html: input.html,
      text: input.text?.trim() ? input.text : null,
      senderId: sender.id,
    };
  }

  /**
   * Adds valid rows in batched inserts: duplicates (in the list or already in the campaign) and
   * suppressed addresses are skipped and counted; bad rows are reported, not fatal.
   */
  private insertRecipients(
    accountId: string,
    campaignId: string,
    rows: RecipientRow[],
    errors: AddRecipientsResult['errors'],
  ): Promise<AddRecipientsResult> {
    return this.repository.transaction(async (tx) => {
      const campaign = await this.lockCampaign(tx, accountId, campaignId);
      assertDraft(campaign.status, 'given more recipients');
      let added = 0;
      let suppressedCount = 0;
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        const batch = rows.slice(i, i + INSERT_BATCH);
        const suppressed = await this.suppressions.suppressedAmong(
          accountId,
          batch.map((r) => r.email),
          tx,
        );
        const allowed = batch.filter((r) => !suppressed.has(r.email.toLowerCase()));
        suppressedCount += batch.length - allowed.length;
        added += await this.repository.insertRecipients(tx, campaignId, allowed);
      }
      await this.repository.addToRecipientCount(tx, campaignId, added);
      return { added, skipped: rows.length - added, suppressed: suppressedCount, errors };
    });
  }

  /** The campaign's row, locked for this transaction (sending and adding recipients take turns). */
  private async lockCampaign(tx: Transaction, accountId: string, id: string): Promise<LockedCampaign> {
    if (!isUuid(id)) throw new NotFoundError('campaign', id);
    const campaign = await this.repository.lockOwnedBy(tx, accountId, id);
    if (!campaign) throw new NotFoundError('campaign', id);
    return campaign;
  }
}

function assertDraft(status: CampaignStatus, what: string): void {
  if (status !== CampaignStatus.DRAFT) {
    throw new BadInputError(`the campaign is ${status}: only a DRAFT can be ${what}`);
  }
}
