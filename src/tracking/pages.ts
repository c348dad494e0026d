import { escapeHtml } from '../messages/render.js';

/** Small self-contained pages for the people who follow unsubscribe links: no scripts, no external assets. */
function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; background: #f4f5f7; color: #222; margin: 0; padding: 40px 16px; }
  main { background: #fff; max-width: 480px; margin: 0 auto; padding: 32px; border-radius: 10px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  h1 { font-size: 1.4rem; margin: 0 0 16px; }
  p { line-height: 1.5; color: #444; }
  button { font: inherit; background: #1a56db; color: #fff; border: 0; border-radius: 6px; padding: 10px 18px; cursor: pointer; }
  button:focus-visible, input:focus-visible { outline: 3px solid #93b4f5; outline-offset: 2px; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: 8px; margin: 8px 0 16px; border: 1px solid #bbb; border-radius: 6px; }
  .done { color: #0a7c3e; font-size: 2rem; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

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
