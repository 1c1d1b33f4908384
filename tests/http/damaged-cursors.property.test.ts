import fc from 'fast-check';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';

/**
 * A cursor damaged on its way back (cut short, one character changed in
 * copying) through the HTTP app: it is read as the very cursor it was, or
 * refused as damaged. Before cursors carried a checksum, a changed character
 * in the version answered STALE_CURSOR ("no longer kept"), in the consent mark
 * "consent changed since this pull began", in an argument digest "issued with
 * another `split` argument": each sent the client after the wrong cause.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PAGES = {
  customers: 'query($after: String) { page: customers(first: 1, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }',
  samples: 'query($after: String) { page: machineLearningSamples(first: 1, after: $after, split: TRAIN, splitSeed: "s") { edges { node { serialNumber sensorReadingTime } } pageInfo { endCursor } } }',
  readings: 'query($after: String) { page: stepTrainerReadings(first: 1, after: $after, filter: { from: 100000000000 }) { edges { node { serialNumber sensorReadingTime } } pageInfo { endCursor } } }',
} as const;
type Page = keyof typeof PAGES;
const DAMAGED = /^the `after` cursor of \w+ is damaged or is not a cursor this API issued/;

describe(`damaged page cursors through the HTTP app (seed ${SEED})`, () => {
  let test: TestApp;
  const issued = {} as Record<Page, { cursor: string; answer: unknown }>;
  const ask = async (page: Page, after: string) => {
    const answer = await test.graphql(PAGES[page], ANALYST_KEY, { after });
    expect(answer.status).toBeLessThan(500);
    return answer.body;
  };

  beforeAll(async () => {
    const landing = makeTempDir();
    const names = ['alice', 'bob', 'carol', 'dave'];
    writeLanding(landing, 'customer', names.map((name) => customerRecord({ name, serial: `serial-${name}` })));
    writeLanding(landing, 'accelerometer', names.flatMap((name) => [accelerometerRecord(name, 1_655_000_001_000), accelerometerRecord(name, 1_655_000_002_000)]));
    writeLanding(landing, 'step_trainer', names.flatMap((name) => [stepTrainerRecord(`serial-${name}`, 1_655_000_001_000), stepTrainerRecord(`serial-${name}`, 1_655_000_002_000)]));
    test = await buildTestApp({ landing });
    for (const page of Object.keys(PAGES) as Page[]) {
      const first = await test.graphql(PAGES[page], ANALYST_KEY);
      const cursor = first.body.data.page.pageInfo.endCursor as string;
      issued[page] = { cursor, answer: await ask(page, cursor) };
      expect(issued[page].answer).toEqual({ data: { page: expect.objectContaining({ edges: [expect.anything()] }) } });
    }
  });
  afterAll(() => test.close());

  it('refuses as damaged a cursor whose version changed by one digit, not as a version no longer kept', async () => {
    const json = Buffer.from(issued.customers.cursor, 'base64url').toString('utf8');
    const version = (JSON.parse(json) as { v: string }).v;
    const other = version.replace(/\d/, (d) => String((Number(d) + 1) % 10));
    const answer = await ask('customers', Buffer.from(json.replace(version, other)).toString('base64url'));
    expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(DAMAGED) })]);
    expect(answer.data.page).toBeNull();
  });

  it('reads a cursor a client encoded again in base64 (standard alphabet or URL-safe, padded or not) as the cursor it was', async () => {
    const spelling = fc.record({ page: fc.constantFrom(...(Object.keys(PAGES) as Page[])), standard: fc.boolean(), padded: fc.boolean(), line: fc.constantFrom('', '\n', ' ') });
    await fc.assert(
      fc.asyncProperty(spelling, async ({ page, standard, padded, line }) => {
        const { cursor, answer: intact } = issued[page];
        const bytes = Buffer.from(cursor, 'base64url');
        const text = standard ? bytes.toString('base64') : cursor + '='.repeat((4 - (cursor.length % 4)) % 4);
        const again = (padded ? text : text.replace(/=+$/, '')) + line;
        expect(await ask(page, again)).toEqual(intact);
      }),
      { seed: SEED, numRuns: 24, endOnFailure: true },
    );
  });

  it('reads a cursor cut short or with one character changed as the cursor it was, or refuses it as damaged, never as another cause', async () => {
    const damage = fc.record({
      page: fc.constantFrom(...(Object.keys(PAGES) as Page[])),
      at: fc.nat(),
      cut: fc.boolean(),
      by: fc.constantFrom(...BASE64URL),
    });
    await fc.assert(
      fc.asyncProperty(damage, async ({ page, at, cut, by }) => {
        const { cursor, answer: intact } = issued[page];
        const i = 1 + (at % (cursor.length - 1));
        fc.pre(cut || cursor[i] !== by);
        const damaged = cut ? cursor.slice(0, i) : cursor.slice(0, i) + by + cursor.slice(i + 1);
        const answer = await ask(page, damaged);
        // Base64url's last character carries unused bits, and a changed member name may leave an intact cursor without its checksum.
        if (answer.errors === undefined) expect(answer).toEqual(intact);
        else expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(DAMAGED) })]);
      }),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
  });
});
