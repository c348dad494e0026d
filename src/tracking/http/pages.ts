import { escapeHtml, htmlPage as page } from '../../http/html.js';

/** The pages of people who follow unsubscribe links. */
export interface UnsubscribeView {
  recipient: string;
  senderName: string;
}

export function confirmUnsubscribePage(view: UnsubscribeView, action: string): string {
  return page(
    `Unsubscribe from ${view.senderName}`,
    `<h1>Unsubscribe</h1>
<p>Stop emails from <strong>${escapeHtml(view.senderName)}</strong> to <strong>${escapeHtml(view.recipient)}</strong>?</p>
<form method="post" action="${escapeHtml(action)}">
  <input type="hidden" name="List-Unsubscribe" value="One-Click">
  <button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function unsubscribedPage(view: UnsubscribeView, already: boolean): string {
  return page(
    "You've been unsubscribed",
    `<div class="done" aria-hidden="true">&#10003;</div>
<h1>You've been unsubscribed</h1>
<p>${already ? 'This address was already unsubscribed: ' : ''}<strong>${escapeHtml(view.recipient)}</strong> will no longer receive emails from <strong>${escapeHtml(view.senderName)}</strong>.</p>`,
  );
}

export function unsubscribeFormPage(action: string, problem: string | null = null): string {
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<p>Paste the unsubscribe link from the email you received.</p>
<form method="post" action="${escapeHtml(action)}">
  <label for="link">Unsubscribe link</label>
  <input id="link" name="link" type="text" required autocomplete="off" placeholder="https://…/api/v1/tracking/unsubscribe/…">
  <button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function problemPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
