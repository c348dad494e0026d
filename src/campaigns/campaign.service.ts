import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, PoolClient } from 'pg';
import { takeSendQuota } from '../accounts/send-quota.js';
import { enqueueFanOut } from '../jobs/enqueue.js';
import type { SendQuota } from '../config.js';
import { isUuid, newId } from '../db/ids.js';
import { withTransaction } from '../db/transaction.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { SenderService } from '../senders/sender.service.js';
import type { SuppressionService } from '../suppressions/suppression.service.js';
import { Campaign, CampaignStatus } from './campaign.entity.js';
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
    private readonly pool: Pool,
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
    await withTransaction(this.pool, async (client) => {
      const campaign = await lockCampaign(client, accountId, id);
      if (campaign.status !== CampaignStatus.DRAFT) {
        throw new BadInputError(
          `campaign ${id} was already sent (it is ${campaign.status}); create a new campaign to send again`,
        );
      }
      if (campaign.recipient_count === 0)
        throw new BadInputError('the campaign has no recipients: add some first');
      const sender = await client.query('select 1 from sender where id = $1 and deleted_at is null', [
        campaign.sender_id,
      ]);
      if (sender.rowCount === 0) {
        throw new BadInputError(
          "the campaign's sender was deleted: choose another sender with updateCampaign",
        );
      }
      // every recipient counts, suppressed ones too: the fan-out skips them later
      await takeSendQuota(client, accountId, campaign.recipient_count, this.quota);
      await client.query(
        `update campaign set status = 'SENDING', send_started_at = now(), updated_at = now() where id = $1`,
        [id],
      );
      await enqueueFanOut(client, id);
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
    return withTransaction(this.pool, async (client) => {
      const campaign = await lockCampaign(client, accountId, campaignId);
      assertDraft(campaign.status, 'given more recipients');
      let added = 0;
      let suppressedCount = 0;
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        const batch = rows.slice(i, i + INSERT_BATCH);
        const suppressed = await this.suppressions.suppressedAmong(
          accountId,
          batch.map((r) => r.email),
          client,
        );
        const allowed = batch.filter((r) => !suppressed.has(r.email.toLowerCase()));
        suppressedCount += batch.length - allowed.length;
        const inserted = await client.query(
          `insert into campaign_recipient (id, campaign_id, email, first_name, last_name, attributes)
           select r.id, $1, r.email, r.first_name, r.last_name, r.attributes
           from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
             as r(id, email, first_name, last_name, attributes)
           on conflict (campaign_id, lower(email)) do nothing`,
          [
            campaignId,
            allowed.map(() => newId()),
            allowed.map((r) => r.email),
            allowed.map((r) => r.firstName),
            allowed.map((r) => r.lastName),
            allowed.map((r) => JSON.stringify(r.attributes)),
          ],
        );
        added += inserted.rowCount ?? 0;
      }
      await client.query(
        'update campaign set recipient_count = recipient_count + $2, updated_at = now() where id = $1',
        [campaignId, added],
      );
      return { added, skipped: rows.length - added, suppressed: suppressedCount, errors };
    });
  }
}

interface LockedCampaign {
  status: CampaignStatus;
  recipient_count: number;
  sender_id: string;
}

/** The campaign's row, locked for this transaction (sending and adding recipients take turns). */
async function lockCampaign(client: PoolClient, accountId: string, id: string): Promise<LockedCampaign> {
  if (!isUuid(id)) throw new NotFoundError('campaign', id);
  const { rows } = await client.query<LockedCampaign>(
    'select status, recipient_count, sender_id from campaign where id = $1 and account_id = $2 for update',
    [id, accountId],
  );
  if (rows.length === 0) throw new NotFoundError('campaign', id);
  return rows[0];
}

function assertDraft(status: CampaignStatus, what: string): void {
  if (status !== CampaignStatus.DRAFT) {
    throw new BadInputError(`the campaign is ${status}: only a DRAFT can be ${what}`);
  }
}
