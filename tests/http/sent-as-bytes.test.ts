import * as sentAsBytes from '../../src/http/sent-as-bytes';
import { readHintedPage } from '../../src/graphql/page-hints';
import { hintedApp } from '../helpers/hinted-app';
import { ANALYST_KEY } from '../helpers/http-app';
import { writeRevocation } from '../helpers/many-customers-landing';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/http/sent-as-bytes', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/http/sent-as-bytes') }));

/**
 * A bulk page's answer sent as the bytes its edges were written as (never
 * made a string): the same bytes and headers as graphql-js's answer, each
 * request its own page when walks run at once (the pages' memory is reused
 * only once an answer is sent), and consent checked when the page is asked
 * for, also for a page written ahead before a revocation.
 */

// Pages of 2,500 rows (about 470 KB): above the size the cache of whole answers could keep, so sent as bytes.
const PAGE = 2_500;
const FIELDS = 'serialNumber sensorReadingTime distanceFromObject x y z sensorReadingTimeIso';
const SAMPLES = `query S($first: Int, $after: String) { machineLearningSamples(first: $first, after: $after) {
  edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

interface Answer {
  text: string;
  headers: Record<string, string>;
}

describe('bulk training-set pages answered as bytes, through HTTP', () => {
  // 60 customers (48 consenting) × 100 rows: 4,800 training rows, two pages.
  const app = hintedApp(60, 100);
  const { hints } = app;

  const ask = async (document: string, after: string | null): Promise<Answer> => {
    const response = await app.t.graphql(document, ANALYST_KEY, { first: PAGE, after });
    expect(response.status).toBe(200);
    const { date: _date, 'x-request-id': _id, ...headers } = response.headers as Record<string, string>;
    return { text: response.text, headers };
  };
  /** Every page of a walk; a document with a new comment each time is a first use, which graphql-js answers. */
  const walk = async (document: (page: number) => string): Promise<Answer[]> => {
    const answers: Answer[] = [];
    let after: string | null = null;
    for (let page = 0; ; page += 1) {
      const answer = await ask(document(page), after);
      answers.push(answer);
      const info = JSON.parse(answer.text).data.machineLearningSamples.pageInfo;
      if (!info.hasNextPage) return answers;
      after = info.endCursor;
    }
  };
  let reference: Answer[];
  beforeAll(async () => {
    reference = await walk((page) => `${SAMPLES} # reference ${page} ${Math.random()}`);
  });

  it('sends the bytes and headers of the answer graphql-js writes', async () => {
    const tokens = jest.spyOn(sentAsBytes, 'bytesAnswerToken');
    try {
      await walk(() => SAMPLES); // a document is compiled the second time it comes
      tokens.mockClear();
      const answers = await walk(() => SAMPLES);
      expect(tokens.mock.results.filter((r) => typeof r.value === 'string')).toHaveLength(2);
      expect(answers).toHaveLength(2);
      answers.forEach((answer, i) => {
        expect(answer.text).toBe(reference[i].text);
        expect(answer.headers).toEqual(reference[i].headers);
      });
      expect(reference[0].text.length).toBeGreaterThan(400_000);
    } finally {
      tokens.mockRestore();
    }
  });

  it('answers walks that run at once each with its own pages', async () => {
    const walks = await Promise.all(Array.from({ length: 6 }, () => walk(() => SAMPLES)));
    for (const answers of walks) expect(answers.map((a) => a.text)).toEqual(reference.map((a) => a.text));
  });

  it('never sends a page written ahead before a revocation with the revoked customer', async () => {
    // The second page holds the 26th to 48th consenting customers.
    const serial = app.fixture.consenting[30];
    const first = await ask(SAMPLES, null);
    expect(await app.hinted(1)).toMatchObject({ ahead: 1, edges: true });
    // Read and written ahead (as the other worker would), then the customer withdraws consent, then the page is asked for.
    await readHintedPage(app.t.lake.services, hints[0]);
    writeRevocation(app.fixture.landing, serial);
    await app.t.lake.services.consent.refresh();
    const after = JSON.parse(first.text).data.machineLearningSamples.pageInfo.endCursor;
    const second = await ask(SAMPLES, after);
    const serials = JSON.parse(second.text).data.machineLearningSamples.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber);
    expect(serials).not.toContain(serial);
    expect(serials).toContain(app.fixture.consenting[31]);
    expect(second.text).toBe((await ask(`${SAMPLES} # after the revocation`, after)).text);
  });
});
