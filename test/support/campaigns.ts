import { eventually, gqlOk } from './app.js';

export const CAMPAIGN_FIELDS = `id name subject status createdAt sender { id key }
  metrics { recipients sent failed suppressed opens uniqueOpens machineOpens clicks uniqueClicks unsubscribes
            openRate clickRate unsubscribeRate medianTimeToOpenSeconds topCountries { country opens } }`;

export async function createSender(
  baseUrl: string,
  key: string,
  port: number,
  extra: Record<string, unknown> = {},
) {
  const data = await gqlOk(baseUrl, key, 'mutation($i: SenderInput!) { createSender(input: $i) { id } }', {
    i: {
      key: `s${Math.random().toString(36).slice(2, 8)}`,
      email: 'sender@example.com',
      password: 'app-password',
      name: 'Acme News',
      smtpHost: '127.0.0.1',
      smtpPort: port,
      ...extra,
    },
  });
  return data.createSender.id as string;
}

export async function createCampaign(
  baseUrl: string,
  key: string,
  senderId: string,
  input: Record<string, unknown> = {},
) {
  const data = await gqlOk(
    baseUrl,
    key,
    'mutation($i: CampaignInput!) { createCampaign(input: $i) { id status } }',
    {
      i: {
        name: 'Launch',
        subject: 'Hello {{first_name|there}}',
        html: '<p>Hi {{first_name|there}}</p>',
        senderId,
        ...input,
      },
    },
  );
  return data.createCampaign.id as string;
}

export async function importRecipients(baseUrl: string, key: string, campaignId: string, csv: string) {
  const data = await gqlOk(
    baseUrl,
    key,
    'mutation($id: ID!, $csv: String!) { importRecipients(campaignId: $id, csv: $csv) { added skipped suppressed errors { line message } } }',
    { id: campaignId, csv },
  );
  return data.importRecipients;
}

export async function campaignOf(baseUrl: string, key: string, id: string) {
  return (await gqlOk(baseUrl, key, `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`, { id }))
    .campaign;
}

export async function waitForStatus(
  baseUrl: string,
  key: string,
  id: string,
  status: string,
  timeoutMs = 30_000,
) {
  return eventually(async () => {
    const campaign = await campaignOf(baseUrl, key, id);
    return campaign.status === status ? campaign : undefined;
  }, timeoutMs);
}
