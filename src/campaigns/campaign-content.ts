import type { Pool } from 'pg';
import type { EmailMessage } from '../messages/message.entity.js';
import type { EmailContent } from '../messages/render.js';
import { personalize, type RecipientRow, recipientVariables } from './template.js';

/** What delivery needs of campaigns: each message's personalised body, and closing a finished campaign. */
export class CampaignContent {
  constructor(private readonly pool: Pool) {}

  /** Personalised html/text for the campaign messages among these, in two queries whatever their number. */
  async forMessages(messages: readonly EmailMessage[]): Promise<Map<string, EmailContent>> {
    const campaignMessages = messages.filter((m) => m.campaignId && m.recipientId);
    if (campaignMessages.length === 0) return new Map();
    const [campaigns, recipients] = await Promise.all([
      this.pool.query<{ id: string; html: string; text: string | null }>(
        'select id, html, text from campaign where id = any($1::uuid[])',
        [[...new Set(campaignMessages.map((m) => m.campaignId))]],
      ),
      this.pool.query<RecipientRow>(
        'select id, email, first_name, last_name, attributes from campaign_recipient where id = any($1::uuid[])',
        [campaignMessages.map((m) => m.recipientId)],
      ),
    ]);
    const campaignById = new Map(campaigns.rows.map((c) => [c.id, c]));
    const recipientById = new Map(recipients.rows.map((r) => [r.id, r]));
    const contents = new Map<string, EmailContent>();
    for (const message of campaignMessages) {
      const campaign = campaignById.get(message.campaignId!);
      const recipient = recipientById.get(message.recipientId!);
      if (!campaign || !recipient) continue;
      const variables = recipientVariables(recipient);
      contents.set(message.id, {
        html: personalize(campaign.html, variables, 'html'),
        text: campaign.text === null ? null : personalize(campaign.text, variables, 'text'),
      });
    }
    return contents;
  }

  /** SENDING -> SENT once the fan-out is done and no message is QUEUED or SENDING (an index probe). */
  async completeIfDone(campaignId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update campaign set status = 'SENT', completed_at = now(), updated_at = now()
       where id = $1 and status = 'SENDING' and fanout_completed_at is not null
         and not exists (select 1 from message where campaign_id = $1 and status in ('QUEUED', 'SENDING'))`,
      [campaignId],
    );
    return rowCount === 1;
  }
}
