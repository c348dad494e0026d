import type { EmailMessage } from '../messages/message.entity.js';
import type { EmailContent } from '../messages/render.js';
import type { CampaignRepository } from './campaign.repository.js';
import { personalize, recipientVariables } from './template.js';

/** What delivery needs of campaigns: each message's personalised body, and closing a finished campaign. */
export class CampaignContent {
  constructor(private readonly repository: CampaignRepository) {}

  /** Personalised html/text for the campaign messages among these, in two queries whatever their number. */
  async forMessages(messages: readonly EmailMessage[]): Promise<Map<string, EmailContent>> {
    const campaignMessages = messages.filter((m) => m.campaignId && m.recipientId);
    if (campaignMessages.length === 0) return new Map();
    const [campaigns, recipients] = await Promise.all([
      this.repository.contents([...new Set(campaignMessages.map((m) => m.campaignId!))]),
      this.repository.recipientsByIds(campaignMessages.map((m) => m.recipientId!)),
    ]);
    const campaignById = new Map(campaigns.map((c) => [c.id, c]));
    const recipientById = new Map(recipients.map((r) => [r.id, r]));
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
  completeIfDone(campaignId: string): Promise<boolean> {
    return this.repository.completeIfDone(campaignId);
  }
}
