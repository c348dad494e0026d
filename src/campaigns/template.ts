import { escapeHtml } from '../http/html.js';

/** `{{ name }}` or `{{ name|default }}`; anything else in braces is left as written. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}|]*))?\}\}/g;

export type TemplateVariables = Record<string, string | null | undefined>;

/**
 * Fills placeholders from the recipient's fields and attributes (names are case-insensitive).
 * A missing or empty value becomes the default, or nothing. In HTML every value is escaped; in
 * a header (the subject) line breaks are flattened so a value cannot add headers.
 */
export function personalize(
  template: string,
  variables: TemplateVariables,
  mode: 'html' | 'text' | 'header',
): string {
  return template.replace(PLACEHOLDER, (match, name: string, fallback: string | undefined) => {
    // filled per message when the email is rendered (see renderTrackedEmail)
    if (name.toLowerCase() === 'unsubscribe_url') return match;
    // own fields only: `{{constructor}}` or `{{__proto__}}` must not reach Object.prototype
    const key = name.toLowerCase();
    const value = Object.hasOwn(variables, key) ? variables[key] : undefined;
    const chosen = value === null || value === undefined || value === '' ? (fallback?.trim() ?? '') : value;
    if (mode === 'html') return escapeHtml(chosen);
    if (mode === 'header') return chosen.replace(/[\r\n]+/g, ' ');
    return chosen;
  });
}

/** A campaign_recipient row, as fan-out and delivery read it. */
export interface RecipientRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, string>;
}

/** The variables of one recipient: email, first_name, last_name and every CSV attribute. */
export function recipientVariables(recipient: RecipientRow): TemplateVariables {
  return {
    ...recipient.attributes,
    email: recipient.email,
    first_name: recipient.first_name,
    last_name: recipient.last_name,
  };
}
