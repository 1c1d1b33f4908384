import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import type { RunningServer } from '../../src/http/server';
import { describeWithBrowser, launchBrowser, pageProblems, screenshot } from '../helpers/browser';
import { ADMIN_KEY, ANALYST_KEY } from '../helpers/http-app';
import { makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';
import { startPrefixProxy } from '../helpers/prefix-proxy';
import { ensureWebBundle } from '../helpers/web-bundle';

/** The GraphQL IDE and the lake page in a real Chromium against a live server on a small lake. */

async function graphql(server: RunningServer, query: string): Promise<Record<string, any>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query }),
  });
  return ((await res.json()) as { data: Record<string, any> }).data;
}

/** Replaces the text of one of GraphiQL's CodeMirror editors, as typing would. */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.$eval(selector, (el, value) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(value), text);
}

async function useKey(page: Page, input: string, key: string): Promise<void> {
  await page.$eval(input, (el: any) => (el.value = ''));
  await page.type(input, key);
  await page.keyboard.press('Enter');
}

describeWithBrowser('the browser pages in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    await ensureWebBundle();
    const landing = writeSmallLanding();
    // Two bad lines, so the lake page has quarantine reasons to list.
    writeLanding(landing, 'step_trainer', ['not json', '{"sensorReadingTime":1655000005000,"distanceFromObject":1}'], 'step_trainer-2.json');
    server = await startLiveServer(landing);
    browser = await launchBrowser();
    page = await browser.newPage();
    // Under the test's own 60 s, so a wait that never ends names its selector instead of timing the test out.
    page.setDefaultTimeout(40_000);
    problems = pageProblems(page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
  });

  it('IDE: takes the key once, runs a query with variables, shows the result and the autocompletion list', async () => {
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    await useKey(page, '#stedi-key', ANALYST_KEY);
    await page.waitForFunction("document.querySelector('#stedi-key-state').textContent === 'key accepted, kept for this tab'");

    await setEditor(page, '.graphiql-query-editor .CodeMirror', 'query Page($first: Int!) {\n  customers(first: $first) {\n    totalCount\n    edges { node { serialNumber } }\n    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n  }\n}\n');
    await setEditor(page, '.graphiql-editor-tool .CodeMirror', '{ "first": 1 }');
    // The tab takes the operation's name once GraphiQL has parsed the new text.
    await page.waitForFunction("document.querySelector('.graphiql-tab-active').textContent.includes('Page')");
    await page.click('.graphiql-execute-button');
    await page.waitForFunction("/\"totalCount\": 2/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
    const result = await page.$eval('.result-window', (el) => el.textContent ?? '');
    expect(result).toMatch(/"hasNextPage": true/);
    expect(result).not.toMatch(/errors/);
    await screenshot(page, 'ide-result');

    // Readable from 1,024 px: long cursors in the result neither squeeze the editor nor push panes off-screen.
    await page.setViewport({ width: 1024, height: 768 });
    const box = async (selector: string) => (await (await page.$(selector))!.boundingBox())!;
    const editor = await box('.graphiql-query-editor');
    const response = await box('.graphiql-response');
    expect(editor.width).toBeGreaterThan(300);
    expect(response.width).toBeGreaterThan(300);
    expect(response.x + response.width).toBeLessThanOrEqual(1024);
    await screenshot(page, 'ide-1024');
    await page.setViewport({ width: 1280, height: 800 });

    // A query pasted and run at once, before GraphiQL has named the tab after it: it ran with the old tab's name.
    await setEditor(page, '.graphiql-query-editor .CodeMirror', 'query Pasted { lake { liveVersion } }');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction("/liveVersion|errors/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
    expect(await page.$eval('.result-window', (el) => el.textContent ?? '')).not.toMatch(/errors|Unknown operation/);

    // Autocompletion from the schema the IDE loaded with the key.
    await setEditor(page, '.graphiql-query-editor .CodeMirror', '{\n  \n}');
    await page.$eval('.graphiql-query-editor .CodeMirror', (el) => (el as unknown as { CodeMirror: { focus(): void; setCursor(l: number, c: number): void } }).CodeMirror.setCursor(1, 2));
    await page.focus('.graphiql-query-editor .CodeMirror textarea');
    await page.keyboard.type('mach');
    await page.waitForSelector('.CodeMirror-hints', { timeout: 10_000 });
    const hints = await page.$$eval('.CodeMirror-hint', (items) => items.map((i) => i.textContent));
    expect(hints).toEqual(expect.arrayContaining(['machineLearningSamples']));
    await screenshot(page, 'ide-autocomplete');

    // The docs explorer lists the schema loaded with the key.
    await page.click('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
    await page.waitForFunction("document.querySelector('.graphiql-doc-explorer').textContent.includes('MachineLearningSample')");
    expect(problems).toEqual([]);
  }, 60_000);

  it('IDE: an Authorization or Content-Type typed in the headers editor is sent once, in place of the bar’s key and the default type', async () => {
    const sent: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.postData()?.includes('HeaderKey')) sent.push(request.headers()['authorization']);
    });
    const run = async (headers: string): Promise<string> => {
      await setEditor(page, '.graphiql-query-editor .CodeMirror', 'query HeaderKey {\n  customers(first: 1) { edges { node { email } } }\n}\n');
      await page.$$eval('.graphiql-editor-tools button', (buttons) => (buttons.find((b) => b.textContent === 'Headers') as unknown as { click(): void }).click());
      // GraphiQL's second tool editor is the headers editor; the inactive one is marked hidden.
      const headersEditor = '.graphiql-editor-tool > .graphiql-editor:nth-child(2):not(.hidden) .CodeMirror';
      await page.waitForSelector(headersEditor);
      await setEditor(page, headersEditor, headers);
      await page.waitForFunction("document.querySelector('.graphiql-tab-active').textContent.includes('HeaderKey')");
      const before = await page.$eval('.result-window', (el) => el.textContent ?? '');
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(`document.querySelector('.result-window').textContent !== ${JSON.stringify(before)} && /errors|"email"/.test(document.querySelector('.result-window').textContent)`, { timeout: 15_000 });
      return page.$eval('.result-window', (el) => el.textContent ?? '');
    };

    // An analyst key in the bar, an admin key in the headers editor: the admin key alone goes, as GraphiQL users expect.
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    await useKey(page, '#stedi-key', ANALYST_KEY);
    await page.waitForFunction("document.querySelector('#stedi-key-state').textContent === 'key accepted, kept for this tab'");
    const both = await run(JSON.stringify({ Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }));
    expect(both).toMatch(/"email": "[^"]+@/);
    expect(both).not.toMatch(/errors/);

    // No key in the bar (a new tab): the headers editor's key is enough.
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    expect(await page.$eval('#stedi-key-state', (el) => el.textContent)).toBe('no key: requests will be refused');
    const alone = await run(JSON.stringify({ authorization: `Bearer ${ADMIN_KEY}` }));
    expect(alone).toMatch(/"email": "[^"]+@/);
    expect(sent).toEqual([`Bearer ${ADMIN_KEY}`, `Bearer ${ADMIN_KEY}`]);
    expect(problems).toEqual([]);
    await useKey(page, '#stedi-key', ANALYST_KEY);
  }, 60_000);

  it('IDE: a key typed in the headers editor is never kept on disk: the history keeps the query, not its headers, and a key an earlier page kept is removed', async () => {
    const context = await browser.createBrowserContext();
    try {
      const fresh = await context.newPage();
      const freshProblems = pageProblems(fresh);
      const kept = async (): Promise<string> => String(await fresh.evaluate("Object.keys(localStorage).map((key) => key + '=' + localStorage.getItem(key)).join('\\n')"));
      await fresh.goto(`${server.url}/graphql`);
      await fresh.waitForSelector('.graphiql-query-editor .CodeMirror');
      // As the IDE before this fix left a run in its history.
      const earlier = { query: '{ __typename }', variables: '', headers: JSON.stringify({ Authorization: `Bearer ${ADMIN_KEY}` }), operationName: null };
      await fresh.evaluate(`localStorage.setItem('graphiql:queries', ${JSON.stringify(JSON.stringify({ queries: [earlier] }))})`);
      await fresh.reload();
      await fresh.waitForSelector('.graphiql-query-editor .CodeMirror');
      expect(await kept()).not.toContain(ADMIN_KEY);
      expect(await kept()).toContain('__typename');

      await setEditor(fresh, '.graphiql-query-editor .CodeMirror', 'query KeptQuery {\n  customers(first: 1) { edges { node { email } } }\n}\n');
      await fresh.$$eval('.graphiql-editor-tools button', (buttons) => (buttons.find((b) => b.textContent === 'Headers') as unknown as { click(): void }).click());
      const headersEditor = '.graphiql-editor-tool > .graphiql-editor:nth-child(2):not(.hidden) .CodeMirror';
      await fresh.waitForSelector(headersEditor);
      await setEditor(fresh, headersEditor, JSON.stringify({ Authorization: `Bearer ${ADMIN_KEY}` }));
      await fresh.waitForFunction("document.querySelector('.graphiql-tab-active').textContent.includes('KeptQuery')");
      await fresh.click('.graphiql-execute-button');
      await fresh.waitForFunction("/\"email\": \"[^\"]+@/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
      // GraphiQL writes its history and tabs as the run ends; wait for the run's entry, then look at everything kept.
      await fresh.waitForFunction("(localStorage.getItem('graphiql:queries') || '').includes('KeptQuery')");
      expect(await kept()).not.toContain(ADMIN_KEY);
      expect(freshProblems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('IDE: opens the CustomerWithReadings example with its serialNumber filled in, and runs it without a variable error', async () => {
    // A new browser profile: GraphiQL opens the server's tabs only when it has kept none of its own.
    const context = await browser.createBrowserContext();
    try {
      const fresh = await context.newPage();
      const freshProblems = pageProblems(fresh);
      await fresh.goto(`${server.url}/graphql`);
      await fresh.waitForSelector('.graphiql-query-editor .CodeMirror');
      await useKey(fresh, '#stedi-key', ANALYST_KEY);
      await fresh.waitForFunction("document.querySelector('#stedi-key-state').textContent === 'key accepted, kept for this tab'");
      await fresh.$$eval('.graphiql-tab button', (buttons) => (buttons.find((b) => b.textContent === 'CustomerWithReadings') as unknown as { click(): void }).click());
      await fresh.waitForFunction("document.querySelector('.graphiql-tab-active').textContent.includes('CustomerWithReadings')");
      const variables = await fresh.$eval('.graphiql-editor-tool .CodeMirror', (el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
      expect(JSON.parse(variables)).toEqual(JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'graphql', 'customer-with-readings.variables.json'), 'utf8')));
      await fresh.click('.graphiql-execute-button');
      await fresh.waitForFunction("/\"customer\"|errors/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
      // The small test lake has no such customer: null, not "Variable \"$serialNumber\" of required type … was not provided".
      expect(await fresh.$eval('.result-window', (el) => el.textContent ?? '')).not.toMatch(/errors|serialNumber/);
      expect(freshProblems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('IDE: a keyboard user sees where the focus is on GraphiQL\'s buttons and tabs', async () => {
    // GraphiQL's own ring is its neutral colour at 15% opacity, next to invisible.
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    const rings: string[] = [];
    for (let i = 0; i < 16 && rings.length < 3; i += 1) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate("(() => { const a = document.activeElement; if (!a.closest('.graphiql-container')) return null; const s = getComputedStyle(a); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor; })()");
      if (ring) rings.push(ring as string);
    }
    expect(rings).toHaveLength(3);
    for (const ring of rings) {
      const [style, width, colour] = [ring.split(' ')[0], parseFloat(ring.split(' ')[1]!), ring.slice(ring.indexOf('rgb'))];
      expect({ ring, style, wide: width >= 2, opaque: colour.startsWith('rgb(') }).toEqual({ ring, style: 'solid', wide: true, opaque: true });
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('both pages say when the server refuses the tab\'s key, and that it accepts the next one', async () => {
    // The IDE said "key set for this tab" for any key, refused or not; the lake page said nothing of the key.
    const wrong = 'not-a-key-of-this-server-0123456789';
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    await useKey(page, '#stedi-key', wrong);
    await page.waitForFunction("document.querySelector('#stedi-key-state').dataset.state === 'refused'");
    expect(await page.$eval('#stedi-key-state', (el) => el.textContent)).toBe('key refused by the server: paste a key it gave');
    await page.goto(`${server.url}/`);
    await page.waitForFunction("document.querySelector('#key-state').dataset.state === 'refused'");
    expect(await page.$eval('#key-state', (el) => el.textContent)).toBe('key refused by the server: paste a key it gave');
    expect(await page.$eval('#message', (el) => el.textContent)).toMatch(/^UNAUTHENTICATED: /);
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForFunction("document.querySelector('#key-state').dataset.state === 'accepted'");
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.$eval('#key-state', (el) => el.textContent)).toBe('key accepted, kept for this tab');
    expect(problems.splice(0).every((p) => /status of 401/.test(p))).toBe(true);
  }, 60_000);

  it('both pages, opened with the tab\'s key, finish every request they make: none stays pending', async () => {
    // The key check left its answer unread, so the browser kept that request open for as long as the page was.
    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    for (const path of ['/', '/graphql']) {
      // The page before may still be asking (the lake page loads its rebuild jobs last): its requests end with it, untracked.
      await page.goto('about:blank');
      const pending = new Set<HTTPRequest>();
      const track = (request: HTTPRequest) => pending.add(request);
      const done = (request: HTTPRequest) => pending.delete(request);
      page.on('request', track);
      page.on('requestfinished', done);
      page.on('requestfailed', done);
      await page.goto(`${server.url}${path}`);
      await page.waitForFunction(`document.querySelector('${path === '/' ? '#key-state' : '#stedi-key-state'}').dataset.state === 'accepted'`);
      // Idle by the requests tracked here: puppeteer's own idle wait, still counting a request of an earlier test's as in
      // flight, never saw this page idle and waited out its 10 s on each page.
      for (let quiet = 0, waited = 0; quiet < 300 && waited < 10_000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
        quiet = pending.size === 0 ? quiet + 50 : 0;
      }
      page.off('request', track);
      page.off('requestfinished', done);
      page.off('requestfailed', done);
      expect([...pending].map((r) => `${r.method()} ${r.url()} ${r.postData() ?? ''}`)).toEqual([]);
    }
    expect(problems.splice(0)).toEqual([]);
  }, 60_000);

  it('lake page: a key the server refuses clears what an earlier key read, and its rebuild button', async () => {
    // The counts and versions an admin key had read stayed on the page, and the rebuild button with them.
    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ADMIN_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('#rebuild-button:not([hidden])');
    await useKey(page, '#key', 'not-a-key-of-this-server-0123456789');
    await page.waitForFunction("document.querySelector('#key-state').dataset.state === 'refused'");
    await page.waitForFunction("/^UNAUTHENTICATED: /.test(document.querySelector('#message').textContent)");
    expect(await page.$eval('#zones', (el) => el.textContent)).toBe('');
    expect(await page.$eval('#versions', (el) => el.textContent)).toBe('');
    expect(await page.$eval('#rebuild-button', (el: any) => el.hidden)).toBe(true);
    expect(await page.$eval('body', (el) => el.dataset.loaded)).toBeUndefined();
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.$eval('[data-table="machine_learning_curated"] b', (el) => el.textContent)).toMatch(/^\d/);
    expect(problems.splice(0).every((p) => /status of 401/.test(p))).toBe(true);
  }, 60_000);

  it('lake page: follows a dark colour scheme, its text still readable on its cards', async () => {
    const colours = () => page.evaluate("[document.body, document.querySelector('section')].map((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])") as Promise<string[][]>;
    const light = (rgb: string): number => rgb.match(/\d+/g)!.slice(0, 3).reduce((sum, v) => sum + Number(v), 0) / 3;
    try {
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      const [[pageBg, pageText], [cardBg]] = await colours();
      expect(light(pageBg)).toBeLessThan(60);
      expect(light(cardBg)).toBeLessThan(60);
      expect(light(pageText)).toBeGreaterThan(180);
      await screenshot(page, 'lake-dark');
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
      const [[lightBg, lightText]] = await colours();
      expect(light(lightBg)).toBeGreaterThan(200);
      expect(light(lightText)).toBeLessThan(60);
      expect(problems).toEqual([]);
    } finally {
      await page.emulateMediaFeatures([]);
    }
  }, 60_000);

  it('lake page: shows the test lake’s counts with the key the tab kept, and an admin starts a rebuild and sees it finish', async () => {
    const { lake } = await graphql(server, '{ lake { tables { name rows } versions { version } } }');
    const rowsOf = (name: string): number => lake.tables.find((t: { name: string }) => t.name === name).rows;

    await page.goto(`${server.url}/`);
    // The analyst key entered in the IDE is still there: same tab, same origin.
    await page.waitForSelector('body[data-loaded="true"]');
    for (const table of ['customer_landing', 'customer_trusted', 'machine_learning_curated']) {
      expect(await page.$eval(`[data-table="${table}"] b`, (el) => el.textContent)).toBe(rowsOf(table).toLocaleString('en-US'));
    }
    expect(await page.$$eval('#quarantine-table tbody tr', (rows) => rows.length)).toBe(3);
    expect(await page.$$eval('[data-source="step_trainer"] ul.reasons li', (items) => items.map((li) => li.textContent))).toEqual(['malformed JSON: 1', 'missing required field "serialNumber": 1']);
    expect(await page.$$eval('[data-source="customer"] ul.reasons li', (items) => items.length)).toBe(0);
    expect(await page.$eval('#rebuild-button', (el: any) => el.hidden)).toBe(true);

    await useKey(page, '#key', ADMIN_KEY);
    await page.waitForSelector('#rebuild-button:not([hidden])');
    await page.click('#rebuild-button');
    await page.waitForSelector('.job-succeeded', { timeout: 30_000 });
    await page.waitForFunction(`document.querySelectorAll('#versions-table tbody tr').length === ${lake.versions.length + 1}`, { timeout: 10_000 });
    const after = await graphql(server, '{ lake { liveVersion } rebuildJobs { state version finishedAtIso } }');
    expect(after.rebuildJobs[0]).toEqual({ state: 'SUCCEEDED', version: after.lake.liveVersion, finishedAtIso: expect.any(String) });
    // Each job says when it finished: a list of SUCCEEDED lines did not say which rebuild was which.
    expect(await page.$eval('.job-succeeded', (el) => el.textContent)).toContain(` · finished ${after.rebuildJobs[0].finishedAtIso}`);
    expect(await page.$eval('[data-field="liveVersion"]', (el) => el.textContent)).toBe(after.lake.liveVersion);
    await screenshot(page, 'lake-page');
    expect(problems).toEqual([]);
  }, 60_000);

  it('lake page: a rebuild that succeeded but left expired versions on disk shows its warning (rebuildJob.warning)', async () => {
    // A refused removal needs another user's folder (tests/rebuild/left-behind.test.ts): the page is given such a job's answer.
    const warning = 'expired versions v1 could not all be removed and stay on disk (they may hold customers who withdrew consent) until a build removes them';
    const answer = async (request: HTTPRequest): Promise<void> => {
      if (request.isInterceptResolutionHandled()) return;
      if (!/rebuildJobs/.test(request.postData() ?? '')) return request.continue();
      const job = { id: 'job-1', state: 'SUCCEEDED', consentPolicy: 'ANY', createdAtIso: null, finishedAtIso: null, version: 'v2', error: null, warning, completedSteps: 1, totalSteps: 1, steps: [] };
      return request.respond({ status: 200, contentType: 'application/json', body: JSON.stringify({ data: { rebuildJobs: [job] } }) });
    };
    await page.setRequestInterception(true);
    page.on('request', answer);
    try {
      await page.goto(`${server.url}/`);
      await useKey(page, '#key', ADMIN_KEY);
      await page.waitForFunction(`document.querySelector('#rebuilds')?.textContent?.includes(${JSON.stringify(warning)})`);
      expect(await page.$eval('#rebuilds', (el) => el.textContent)).toContain('SUCCEEDED · job job-1');
    } finally {
      page.off('request', answer);
      await page.setRequestInterception(false);
    }
  }, 60_000);

  it('lake page: downloads the training set as /export sends it, with the key the tab kept (a link to /export cannot carry the key)', async () => {
    const dir = makeTempDir('stedi-downloads-');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    const expected = await fetch(`${server.url}/export/machine_learning_curated?format=csv&split=TRAIN&splitSeed=epoch-1`, { headers: { authorization: `Bearer ${ANALYST_KEY}` } });
    const name = /filename="([^"]+)"/.exec(expected.headers.get('content-disposition')!)![1]!;
    const rows = Number(expected.headers.get('x-row-count'));

    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.select('#export-form select[name="format"]', 'csv');
    await page.select('#export-form select[name="split"]', 'TRAIN');
    await page.type('#export-form input[name="seed"]', 'epoch-1');
    await page.click('#export-form button');
    await page.waitForFunction("/^saved /.test(document.querySelector('#export-state').textContent)", { timeout: 20_000 });
    expect(await page.$eval('#export-state', (el) => el.textContent)).toBe(`saved ${name}: ${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`);
    // The browser writes the file once the click is handled; wait for it to be complete.
    for (let i = 0; i < 100 && !existsSync(join(dir, name)); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(join(dir, name), 'utf8')).toBe(await expected.text());

    // A refusal is shown as every other error of the page, with its code.
    await page.select('#export-form select[name="split"]', '');
    await page.click('#export-form button');
    await page.waitForFunction("!document.querySelector('#message').hidden");
    expect(await page.$eval('#message', (el) => el.textContent)).toMatch(/^BAD_USER_INPUT: splitSeed only applies to a split/);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
  }, 60_000);

  it('lake page: downloads one device in a time window, the times typed as ISO (UTC) or epoch ms, as /export sends it', async () => {
    // Before, the form offered format, split and seed only, though /export takes serialNumber, from and to.
    const dir = makeTempDir('stedi-downloads-');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    const expected = await fetch(`${server.url}/export/machine_learning_curated?format=ndjson&serialNumber=serial-alice&from=1655000002000&to=1655000002000`, { headers: { authorization: `Bearer ${ANALYST_KEY}` } });
    const name = /filename="([^"]+)"/.exec(expected.headers.get('content-disposition')!)![1]!;
    const text = await expected.text();
    expect(text.trim().split('\n')).toHaveLength(1);

    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.select('#export-form select[name="format"]', 'ndjson');
    await page.type('#export-form input[name="serialNumber"]', ' SERIAL-ALICE');
    await page.type('#export-form input[name="from"]', '2022-06-12T02:13:22'); // 1655000002000 ms, no zone: UTC
    await page.type('#export-form input[name="to"]', '1655000002000');
    await page.click('#export-form button');
    await page.waitForFunction("/^saved /.test(document.querySelector('#export-state').textContent)", { timeout: 20_000 });
    expect(await page.$eval('#export-state', (el) => el.textContent)).toBe(`saved ${name}: 1 row`); // "1 rows" before
    for (let i = 0; i < 100 && !existsSync(join(dir, name)); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(join(dir, name), 'utf8')).toBe(text);

    // A date in seconds is the server's refusal, shown with its code; text that is no time is said before asking.
    await page.$eval('#export-form input[name="to"]', (el: any) => (el.value = '1655000002'));
    await page.click('#export-form button');
    await page.waitForFunction("/to must be epoch milliseconds/.test(document.querySelector('#message').textContent)");
    expect(await page.$eval('#message', (el) => el.textContent)).toMatch(/^BAD_USER_INPUT: to must be epoch milliseconds; received 1655000002, .* send 1655000002000 /);
    await page.$eval('#export-form input[name="from"]', (el: any) => (el.value = 'yesterday'));
    await page.click('#export-form button');
    await page.waitForFunction("/yesterday/.test(document.querySelector('#message').textContent)");
    expect(await page.$eval('#message', (el) => el.textContent)).toBe('from: "yesterday" is neither epoch milliseconds nor an ISO 8601 time such as 2022-06-18T14:59:00Z');
    expect(problems.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
  }, 60_000);

  it('lake page: a time the form cannot read clears the last download\'s "saved …" beside the button, as any failure does', async () => {
    // The form was read before the status was touched: the refusal showed above while "saved … 1 row" stayed beside Download.
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: makeTempDir('stedi-downloads-') });
    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.select('#export-form select[name="format"]', 'csv');
    await page.click('#export-form button');
    await page.waitForFunction("/^saved /.test(document.querySelector('#export-state').textContent)", { timeout: 20_000 });
    await page.type('#export-form input[name="from"]', 'yesterday');
    await page.click('#export-form button');
    await page.waitForFunction("/yesterday/.test(document.querySelector('#message').textContent)");
    expect(await page.$eval('#export-state', (el) => el.textContent)).toBe('');
    expect(problems).toEqual([]);
  }, 60_000);

  it('a server that gives no answer (stopped, restarting) is said so on both pages, not as the browser\'s "Failed to fetch" with a stack trace', async () => {
    const said = /^no answer from the server at 127\.0\.0\.1:\d+: it may be stopped or restarting, or the network is down; try again once it is back \(the browser said: Failed to fetch\)$/;
    const refuse = (request: HTTPRequest): void => void (request.isInterceptResolutionHandled() || request.abort('connectionrefused'));
    const goDown = async (): Promise<void> => {
      await page.setRequestInterception(true);
      page.on('request', refuse);
    };
    try {
      await page.goto(`${server.url}/graphql`);
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      await useKey(page, '#stedi-key', ANALYST_KEY);
      await page.waitForFunction("document.querySelector('#stedi-key-state').textContent === 'key accepted, kept for this tab'");
      await setEditor(page, '.graphiql-query-editor .CodeMirror', '{ lake { liveVersion } }');
      await goDown();
      await page.click('.graphiql-execute-button');
      await page.waitForFunction("/no answer from the server/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
      const result = await page.$eval('.result-window', (el) => el.textContent ?? '');
      expect(/"message": "([^"]*)"/.exec(result)?.[1]).toMatch(said);
      expect(result).not.toMatch(/stack|ide\.js/);

      page.off('request', refuse);
      await page.setRequestInterception(false);
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      await goDown();
      await page.click('#export-form button');
      await page.waitForFunction("/no answer from the server/.test(document.querySelector('#message').textContent)");
      expect(await page.$eval('#message', (el) => el.textContent)).toMatch(said);
      await page.click('#key-form button');
      await page.waitForFunction("document.querySelector('#key-state').dataset.state === 'unknown'");
      expect(await page.$eval('#message', (el) => el.textContent)).toMatch(said);
      expect(problems.splice(0).every((p) => /ERR_CONNECTION_REFUSED/.test(p))).toBe(true);
    } finally {
      page.off('request', refuse);
      await page.setRequestInterception(false);
    }
  }, 60_000);

  it('lake page: a time typed with a space for the T, as pandas and spreadsheets print it, is UTC too, whatever the browser\'s time zone', async () => {
    // Read as the browser's local time before: in Tokyo the window was nine hours off, and the file held other rows, silently.
    const dir = makeTempDir('stedi-downloads-');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    const asked: string[] = [];
    const onRequest = (request: HTTPRequest) => void (request.url().includes('/export/') && asked.push(new URL(request.url()).search));
    page.on('request', onRequest);
    try {
      await page.emulateTimezone('Asia/Tokyo');
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      await page.select('#export-form select[name="format"]', 'ndjson');
      await page.type('#export-form input[name="serialNumber"]', 'serial-alice');
      await page.type('#export-form input[name="from"]', '2022-06-12 02:13:22'); // 1655000002000 ms in UTC
      await page.type('#export-form input[name="to"]', '2022-06-12 02:13:22.000');
      await page.click('#export-form button');
      await page.waitForFunction("/^saved /.test(document.querySelector('#export-state').textContent)", { timeout: 20_000 });
      expect(asked).toEqual(['?format=ndjson&serialNumber=serial-alice&from=1655000002000&to=1655000002000']);
      expect(await page.$eval('#export-state', (el) => el.textContent)).toMatch(/: 1 row$/);
      expect(problems).toEqual([]);
    } finally {
      page.off('request', onRequest);
      await page.emulateTimezone(undefined);
    }
  }, 60_000);

  it('a link to /export followed in the browser says what can send the key: the lake page\'s form, the IDE', async () => {
    const context = await browser.createBrowserContext();
    try {
      const tab = await context.newPage();
      const res = await tab.goto(`${server.url}/export/machine_learning_curated?format=csv`);
      expect(res!.status()).toBe(401);
      expect(await tab.$eval('body', (el) => el.textContent ?? '')).toMatch(/a link or the address bar cannot send it: download the training set with the form on the lake page/);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('lake page: a keyboard-only download keeps the focus on Download and announces what was saved', async () => {
    // The button was disabled while downloading, which sent the focus to the page: the next Tab started from the top.
    const dir = makeTempDir('stedi-downloads-');
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ANALYST_KEY);
    await page.waitForSelector('body[data-loaded="true"]');
    const focused = () => page.evaluate("(() => { const a = document.activeElement; return a.tagName + ':' + (a.name || a.textContent); })()") as Promise<string>;
    await page.focus('#export-form select[name="format"]');
    // format, split, seed, device, from, to, then Download.
    for (let i = 0; i < 6; i += 1) await page.keyboard.press('Tab');
    expect(await focused()).toBe('BUTTON:Download');
    await page.keyboard.press('Enter');
    await page.waitForFunction("/^saved /.test(document.querySelector('#export-state').textContent)", { timeout: 20_000 });
    expect(await focused()).toBe('BUTTON:Download');
    expect(await page.$eval('#export-state', (el) => el.getAttribute('role'))).toBe('status');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    expect(await focused()).toBe('INPUT:to');
    expect(problems).toEqual([]);
  }, 60_000);

  it('both pages take a key pasted with the "Bearer " of a curl line, and say to paste the key alone when it holds a character no header carries', async () => {
    const sent: Array<string | undefined> = [];
    const onRequest = (request: { method(): string; headers(): Record<string, string> }) => {
      if (request.method() === 'POST') sent.push(request.headers()['authorization']);
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${server.url}/`);
      await useKey(page, '#key', `Bearer ${ANALYST_KEY}`);
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.$eval('#message', (el: any) => el.hidden)).toBe(true);
      expect(sent.at(-1)).toBe(`Bearer ${ANALYST_KEY}`);

      // A curly quote copied from a chat: fetch refused it with a TypeError about ISO-8859-1.
      await useKey(page, '#key', `\u201c${ANALYST_KEY}\u201d`);
      await page.waitForFunction("!document.querySelector('#message').hidden");
      expect(await page.$eval('#message', (el) => el.textContent)).toMatch(/^The API key holds a space, a line break or a character no API key has .*paste the key alone/);

      await page.goto(`${server.url}/graphql`);
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      await setEditor(page, '.graphiql-query-editor .CodeMirror', '{ lake { liveVersion } }');
      await page.click('.graphiql-execute-button');
      await page.waitForFunction("/paste the key alone/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
      await useKey(page, '#stedi-key', `  bearer ${ANALYST_KEY}\t`);
      await page.waitForFunction("document.querySelector('#stedi-key-state').textContent === 'key accepted, kept for this tab'");
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      await setEditor(page, '.graphiql-query-editor .CodeMirror', '{ lake { liveVersion } }');
      await page.click('.graphiql-execute-button');
      await page.waitForFunction("/\"liveVersion\"/.test(document.querySelector('.result-window').textContent)", { timeout: 15_000 });
      expect(await page.$eval('.result-window', (el) => el.textContent ?? '')).not.toMatch(/errors/);
      expect(await page.$eval('#stedi-key', (el: any) => el.value)).toBe(ANALYST_KEY);
      expect(sent.at(-1)).toBe(`Bearer ${ANALYST_KEY}`);
      expect(problems).toEqual([]);
    } finally {
      page.off('request', onRequest);
    }
  }, 60_000);

  it('both pages work behind a proxy that serves the server under a path (a notebook server\'s /proxy/<port>/): files, calls and links stay under it', async () => {
    const proxy = await startPrefixProxy(server.url, '/user/ana/proxy/4000');
    try {
      await page.goto(`${proxy.url}/`);
      await useKey(page, '#key', ANALYST_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      const { lake } = await graphql(server, '{ lake { liveVersion } }');
      expect(await page.$eval('[data-field="liveVersion"]', (el) => el.textContent)).toBe(lake.liveVersion);

      await page.click('header a[href="graphql"]');
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      expect(page.url()).toBe(`${proxy.url}/graphql`);
      await setEditor(page, '.graphiql-query-editor .CodeMirror', 'query Proxied { lake { liveVersion } }');
      await page.waitForFunction("document.querySelector('.graphiql-tab-active').textContent.includes('Proxied')");
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(`document.querySelector('.result-window').textContent.includes(${JSON.stringify(lake.liveVersion)})`, { timeout: 15_000 });
      expect(await page.$eval('.stedi-bar a', (el) => (el as unknown as { href: string }).href)).toBe(`${proxy.url}/`);
      expect(problems).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('lake page: shows each time once, as ISO text labelled without "iso", and the consent generation as the digest it is', async () => {
    const { lake } = await graphql(server, '{ lake { consentGeneration } }');
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    const labels = await page.$$eval('dt, th', (cells) => cells.map((c) => c.textContent));
    expect(labels).toEqual(expect.arrayContaining(['built at', 'consent refreshed at']));
    expect(labels.filter((l) => /\biso\b/.test(l ?? ''))).toEqual([]);
    // Lake.consentRefreshedAt is epoch ms now, beside consentRefreshedAtIso: the page shows the ISO one alone.
    expect(await page.$eval('[data-field="consentRefreshedAtIso"]', (el) => el.textContent)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await page.$('[data-field="consentRefreshedAt"]')).toBeNull();
    // A digest that only changes, not a count (it read 1,368,777,218).
    expect(await page.$eval('[data-field="consentGeneration"]', (el) => el.textContent)).toBe(String(lake.consentGeneration));
    expect(problems).toEqual([]);
  }, 60_000);

  it('both pages fit a narrow window (a phone, half a laptop screen): nothing scrolls sideways, and the IDE puts the result under the editor', async () => {
    const box = async (selector: string) => (await (await page.$(selector))!.boundingBox())!;
    const sideways = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
    try {
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      for (const width of [320, 375, 768]) {
        await page.setViewport({ width, height: 800 });
        expect({ width, sideways: await sideways() }).toEqual({ width, sideways: 0 });
        const zones = await box('#zones');
        expect(zones.x + zones.width).toBeLessThanOrEqual(width);
        // A value (the live version id, an ISO time) wraps inside its card: at 320 px it ran out of it, cut off.
        const cut = await page.$$eval('.kv dd', (values) => values.filter((dd) => dd.getBoundingClientRect().right > dd.closest('section')!.getBoundingClientRect().right).map((dd) => dd.textContent));
        expect({ width, cut }).toEqual({ width, cut: [] });
      }
      await screenshot(page, 'lake-375');

      await page.goto(`${server.url}/graphql`);
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      await page.setViewport({ width: 768, height: 800 });
      expect(await sideways()).toBe(0);
      const [editor768, response768] = [await box('.graphiql-editors'), await box('.graphiql-response')];
      expect(response768.x).toBeGreaterThan(editor768.x + editor768.width - 1);
      expect(response768.x + response768.width).toBeLessThanOrEqual(768);
      expect(response768.width).toBeGreaterThan(250);

      await page.setViewport({ width: 375, height: 800 });
      expect(await sideways()).toBe(0);
      const [editor, response, run] = [await box('.graphiql-editors'), await box('.graphiql-response'), await box('.graphiql-execute-button')];
      expect(response.y).toBeGreaterThanOrEqual(editor.y + editor.height - 1);
      expect(response.x + response.width).toBeLessThanOrEqual(375);
      expect(run.x + run.width).toBeLessThanOrEqual(375);
      await screenshot(page, 'ide-375');
      expect(problems).toEqual([]);
    } finally {
      await page.setViewport({ width: 1280, height: 800 });
    }
  }, 60_000);

  it('both pages are usable at a phone\'s 320 px: no card of the lake page scrolls sideways, and the IDE gives the query most of the width', async () => {
    const box = async (selector: string) => (await (await page.$(selector))!.boundingBox())!;
    try {
      await page.setViewport({ width: 320, height: 640 });
      await page.goto(`${server.url}/`);
      await useKey(page, '#key', ANALYST_KEY);
      await page.waitForSelector('body[data-loaded="true"]');
      await page.waitForSelector('#versions-table td');
      // The versions table was 800 px wide in a card of 300 (the quarantine table cut its last column): scrolled inside the card.
      const scrolled = await page.$$eval('main section', (sections) => sections.filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.querySelector('h2')!.textContent));
      expect(scrolled).toEqual([]);
      // Each value still says which column it is.
      expect(await page.evaluate(`getComputedStyle(document.querySelector('#versions-table td[data-col="version"]'), '::before').content`)).toBe('"version"');
      const form = await box('#key-form');
      expect(form.x + form.width).toBeLessThanOrEqual(320);
      await screenshot(page, 'lake-320');

      await page.goto(`${server.url}/graphql`);
      await page.waitForSelector('.graphiql-query-editor .CodeMirror');
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
      // GraphiQL's column of buttons and its editor's column of tools left the query 110 px of text, under a key bar of 152 px.
      const [text, bar, run] = [await box('.graphiql-query-editor .CodeMirror'), await box('.stedi-bar'), await box('.graphiql-execute-button')];
      expect(text.width).toBeGreaterThanOrEqual(240);
      expect(text.x + text.width).toBeLessThanOrEqual(320);
      expect(bar.height).toBeLessThanOrEqual(110);
      expect(run.x + run.width).toBeLessThanOrEqual(320);
      await screenshot(page, 'ide-320');
      expect(problems).toEqual([]);
    } finally {
      await page.setViewport({ width: 1280, height: 800 });
    }
  }, 60_000);
});

describeWithBrowser('the lake page in Chromium on a lake not built yet', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBundle();
    // Served from an empty folder: what `stedi serve` shows before the first build.
    server = await startLiveServer(writeSmallLanding(), { lake: makeTempDir('stedi-unbuilt-lake-') });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown();
  });

  it('says the lake is not built and gives an admin the rebuild button that builds it, then shows its counts', async () => {
    const page = await browser.newPage();
    const problems = pageProblems(page);
    await page.goto(`${server.url}/`);
    await useKey(page, '#key', ADMIN_KEY);
    await page.waitForFunction("/^LAKE_NOT_BUILT: /.test(document.querySelector('#message').textContent)");
    // The message says to run rebuildZones with an admin key: the page offered no way to, its button stayed hidden.
    await page.waitForSelector('#rebuild-button:not([hidden])');
    await page.click('#rebuild-button');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
    expect(await page.$eval('#message', (el: any) => el.hidden)).toBe(true);
    const { lake } = await graphql(server, '{ lake { liveVersion tables { name rows } } }');
    expect(await page.$eval('[data-field="liveVersion"]', (el) => el.textContent)).toBe(lake.liveVersion);
    const curated = lake.tables.find((t: { name: string }) => t.name === 'machine_learning_curated').rows;
    expect(await page.$eval('[data-table="machine_learning_curated"] b', (el) => el.textContent)).toBe(curated.toLocaleString('en-US'));
    expect(problems).toEqual([]);
  }, 60_000);
});
