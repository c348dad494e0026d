/** HTML for every page the service serves itself: escaping and the page shell. Imports nothing. */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Small self-contained pages for the people who follow unsubscribe links: no scripts, no external assets. */
export function htmlPage(title: string, body: string): string {
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
