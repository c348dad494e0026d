// The GraphQL playground (GraphiQL from npm, served by us) in headless Chromium: it loads with no
// request leaving this server, takes the API key from the dashboard's session, and runs a query.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, SHIPPED_API_LIMITS, startTestApp, type TestApp } from './support/app.js';
import { hasChromium, launchChromium, type PageProblems, screenshot, watchPage } from './support/browser.js';

describe.skipIf(!hasChromium)('GraphQL playground in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let key: string;
  let page: Page;
  let problems: PageProblems;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({ worker: false, env: SHIPPED_API_LIMITS }),
      launchChromium(),
    ]);
    key = (await createAccount(t.app, 'Playground Co')).key;
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = await watchPage(page);
    page.on('request', (request) => {
      if (!request.url().startsWith(t.baseUrl) && !request.url().startsWith('data:'))
        foreignRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const editorText = (selector: string) => page.locator(`${selector} .CodeMirror-code`).first().innerText();

  it('asks for a key when the dashboard has none', async () => {
    await page.goto(`${t.baseUrl}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await expect.poll(() => page.locator('#playground-note').innerText()).toContain('put your API key');
    await expect
      .poll(() => editorText('.graphiql-editor-tool .graphiql-editor:not(.hidden)'))
      .toContain('Bearer <your API key>');
  });

  it("takes the key from the dashboard's session and runs a query with it", async () => {
    await page.evaluate((secret) => sessionStorage.setItem('mailtrace.apiKey', secret), key);
    await page.goto(`${t.baseUrl}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await expect
      .poll(() => page.locator('#playground-note').innerText())
      .toContain('signed in from the dashboard');
    await expect
      .poll(() => editorText('.graphiql-editor-tool .graphiql-editor:not(.hidden)'))
      .toContain(`Bearer ${key}`);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorText('.result-window'), { timeout: 10_000 }).toContain('Playground Co');
    await screenshot(page, 'playground.png');
    expect(foreignRequests).toEqual([]);
    expect(problems.errors).toEqual([]);
    expect(await problems.cspViolations()).toEqual([]);
  });

  it('leaves GraphQL over GET to the API, and the page itself links to nothing outside', async () => {
    const get = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html, application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const page = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).not.toMatch(/https?:\/\//);
  });
});
