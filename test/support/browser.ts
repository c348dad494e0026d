import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type ConsoleMessage, type Page } from 'playwright-core';
import { projectPath } from '../../src/project-path.js';

/** Debian's chromium package; playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = projectPath('test-output/screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface PageProblems {
  /** console errors and uncaught exceptions, CSP violations included */
  errors: string[];
  /** 401 answers the page expected (a refused API key): Chromium logs each as a console error */
  refusedRequests: string[];
  /** securitypolicyviolation events seen by the page (since its last load) */
  cspViolations(): Promise<string[]>;
}

/** Records what went wrong in the page, for a test to assert on at the end. */
export async function watchPage(page: Page): Promise<PageProblems> {
  const errors: string[] = [];
  const refusedRequests: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    if (/status of 401/.test(text) && where.endsWith('/graphql')) refusedRequests.push(text);
    else errors.push(`${text} (${where})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => {
       (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI);
     });`,
  );
  return {
    errors,
    refusedRequests,
    cspViolations: async () => (await page.evaluate('window.__cspViolations || []')) as string[],
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  // from the top, so that the sticky header is drawn where it belongs
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  return path;
}
