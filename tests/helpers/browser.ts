import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * Debian's Chromium driven by puppeteer-core, for the browser pages' tests.
 * `.ci/run` installs it; without it the suites skip, except on CI (CI=true).
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const CHROMIUM = CANDIDATES.find((p): p is string => Boolean(p) && existsSync(p!));

if (!CHROMIUM && process.env.CI === 'true') {
  throw new Error('the browser tests need Chromium on CI but none was found: `apt-get install -y chromium` (.ci/run does) or set CHROMIUM_PATH');
}

export const describeWithBrowser: jest.Describe = CHROMIUM ? describe : describe.skip;

/** Where the tests leave their screenshots (a CI artifact; not in git). */
export const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'browser');

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    // This closed network refuses Chromium's background connections; a fresh profile keeps runs independent.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'stedi-chromium-'))}`,
    ],
    defaultViewport: { width: 1280, height: 800 },
  });
}

/** Console errors and uncaught exceptions of a page (a CSP refusal shows up here). */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png` });
  return path;
}
