// Every GraphQL document the dashboard sends, in one place: what the pages ask of the API.

export const ME_QUERY = '{ me { id name } }';

// ---- campaigns ----

export const CAMPAIGNS_QUERY = `query Campaigns {
  overview { campaigns sent transactionalSent opens uniqueOpens openRate clicks clickRate unsubscribes }
  campaigns {
    id name status createdAt sendStartedAt recipientCount
    metrics { recipients sent failed opens uniqueOpens openRate clicks uniqueClicks clickRate unsubscribes }
  }
}`;

export const CAMPAIGN_NAMES_QUERY = '{ campaigns { id name } }';

/** How many recent events the campaign page's activity feed shows. */
export const FEED_SIZE = 12;
const EVENT_FIELDS = 'id type messageId recipient occurredAt machine url location { city country }';

export const CAMPAIGN_QUERY = `query Campaign($id: ID!, $bucket: TimeBucket, $withEvents: Boolean!) {
  campaign(id: $id) {
    id name subject status createdAt sendStartedAt completedAt recipientCount
    events(first: ${FEED_SIZE}) @include(if: $withEvents) { ${EVENT_FIELDS} }
    sender { id name email }
    metrics {
      recipients sent failed suppressed opens uniqueOpens machineOpens clicks uniqueClicks machineClicks
      unsubscribes openRate clickRate unsubscribeRate medianTimeToOpenSeconds
      timeline(bucket: $bucket) { at opens uniqueOpens clicks machineOpens machineClicks }
      topCountries(limit: 8) { country opens }
      clients(limit: 8) { client device opens }
      links(limit: 10) { url clicks uniqueClicks machineClicks }
    }
  }
}`;

export const CREATE_CAMPAIGN =
  'mutation Create($input: CampaignInput!) { createCampaign(input: $input) { id name } }';

export const IMPORT_RECIPIENTS =
  'mutation Import($id: ID!, $csv: String!) { importRecipients(campaignId: $id, csv: $csv) { added skipped suppressed errors { line message } } }';

export const SEND_CAMPAIGN = 'mutation Send($id: ID!) { sendCampaign(id: $id) { id status } }';

// ---- senders and single sends ----

export const SENDERS_QUERY = '{ senders { id key email name } }';

export const SEND_EMAIL =
  'mutation Send($input: SendEmailInput!) { sendEmail(input: $input) { id status recipient subject sequenceId error queuedAt sentAt } }';

export const MESSAGE_STATUS_QUERY =
  'query Status($id: ID!) { message(id: $id) { id status recipient subject sequenceId error queuedAt sentAt sendAttempts } }';

// ---- messages ----

/** The fields a message row shows (the original tracker's table, plus status and counts). */
export const MESSAGE_FIELDS = `id sequenceId recipient subject status error campaignId queuedAt sentAt
  sendAttempts firstOpenedAt timeToOpenSeconds openCount machineOpenCount clickCount unsubscribedAt
  lastOpen { id ipAddress userAgent client device machine machineReason occurredAt location { city region country } }`;

export const MESSAGES_QUERY = `query Messages($campaignId: ID, $transactional: Boolean, $recipient: String, $after: String, $first: Int) {
  messages(campaignId: $campaignId, transactional: $transactional, recipient: $recipient, after: $after, first: $first) {
    totalCount hasNextPage endCursor nodes { ${MESSAGE_FIELDS} }
  }
}`;

/** `count` messages by id in one request: variables $i0, $i1, ..., answers aliased m0, m1, ... */
export function messagesByIdQuery(count) {
  const indexes = Array.from({ length: count }, (_, i) => i);
  const params = indexes.map((i) => `$i${i}: ID!`).join(', ');
  const fields = indexes.map((i) => `m${i}: message(id: $i${i}) { ${MESSAGE_FIELDS} }`).join('\n');
  return `query Rows(${params}) {\n${fields}\n}`;
}

// ---- live (subscriptions, over graphql-ws) ----

/** The campaign list only needs to know that something happened, of any kind. */
export const CAMPAIGN_LIST_EVENTS = 'subscription CampaignList { trackingEvents { id } }';

export const CAMPAIGN_EVENTS = `subscription CampaignEvents($id: ID) { trackingEvents(campaignId: $id) { ${EVENT_FIELDS} } }`;

export const EMAIL_EVENTS = 'subscription Emails { trackingEvents { id messageId } }';
