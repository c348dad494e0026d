// Status badges for messages and campaigns, and which message statuses are final.

import { h } from '../dom.js';

/** A message in one of these statuses will not change again. */
export const FINAL_STATUSES = new Set(['SENT', 'FAILED', 'SUPPRESSED']);

export function statusBadge(status, title) {
  return h('span', {
    class: `badge status-${status.toLowerCase()}`,
    title,
    'data-testid': 'status',
    text: status,
  });
}

export function campaignStatus(status) {
  return h('span', {
    class: `badge campaign-${status.toLowerCase()}`,
    'data-testid': 'campaign-status',
    text: status,
  });
}
