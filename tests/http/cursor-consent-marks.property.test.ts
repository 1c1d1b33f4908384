import fc from 'fast-check';
import { cursorFields, forgedCursor } from '../helpers/forged-cursor';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { consentMark } from '../../src/graphql/consent-mark';

/**
 * A top-level cursor's consent mark as a client may forge it: any mark this API
 * never issued (another type, another length) is refused as BAD_USER_INPUT, an
 * issued-looking digest that does not match as STALE_CURSOR; never a page, never
 * an internal error. A mark of another type had passed as no mark at all.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 60;
const PAGE = 'query($after: String) { customers(first: 1, after: $after) { edges { node { serialNumber } } } }';

describe('consent marks in page cursors through the HTTP app', () => {
  let test: TestApp;
  let issued: Record<string, unknown>;
  const forged = (mark: unknown): string => forgedCursor(issued, { c: mark });
  const codeOf = async (after: string): Promise<string | undefined> => {
    const answer = await test.graphql(PAGE, ANALYST_KEY, { after });
    expect(answer.status).toBeLessThan(500);
    // An error answers no page: a refused cursor never reads rows.
    if (answer.body.errors !== undefined) expect(answer.body.data?.customers ?? null).toBeNull();
    return answer.body.errors?.[0]?.extensions?.code;
  };

  beforeAll(async () => {
    const landing = makeTempDir();
    const names = ['alice', 'bob', 'carol'];
    writeLanding(landing, 'customer', names.map((name) => customerRecord({ name, serial: `serial-${name}` })));
    writeLanding(landing, 'accelerometer', names.map((name) => accelerometerRecord(name, 1_655_000_001_000)));
    writeLanding(landing, 'step_trainer', names.map((name) => stepTrainerRecord(`serial-${name}`, 1_655_000_001_000)));
    test = await buildTestApp({ landing });
    const first = await test.graphql('{ customers(first: 1) { pageInfo { endCursor } } }', ANALYST_KEY);
    issued = cursorFields(first.body.data.customers.pageInfo.endCursor);
  });
  afterAll(() => test.close());

  it('pages on with the mark it issued, and refuses one with none (a keyed version never issued it) as STALE_CURSOR', async () => {
    expect(await codeOf(forged(issued.c))).toBeUndefined();
    expect(await codeOf(forged(undefined))).toBe('STALE_CURSOR');
  });

  it.each([
    ['a number', 123],
    ['null', null],
    ['an object', {}],
    ['an array holding the issued mark', 'ISSUED'],
    ['true', true],
    ['an empty string', ''],
    ['1,000 characters', 'A'.repeat(1_000)],
  ])('refuses as BAD_USER_INPUT a cursor whose mark is %s', async (_name, mark) => {
    const answer = await test.graphql(PAGE, ANALYST_KEY, { after: forged(mark === 'ISSUED' ? [issued.c] : mark) });
    expect(answer.body.data?.customers ?? null).toBeNull();
    expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('is not a cursor this API issued') })]);
  });

  it('refuses as STALE_CURSOR a digest-shaped mark the page did not issue', async () => {
    expect(await codeOf(forged('AAAAAAAA'))).toBe('STALE_CURSOR');
  });

  it(`refuses every other mark with BAD_USER_INPUT or STALE_CURSOR, never a page or a 5xx (property, seed ${SEED})`, async () => {
    const mark = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ minLength: 8, maxLength: 8, unit: fc.constantFrom('A', 'z', '0', '-', '_', '.', '=') }));
    await fc.assert(
      fc.asyncProperty(
        mark.filter((m) => m !== issued.c),
        async (m) => expect(['BAD_USER_INPUT', 'STALE_CURSOR']).toContain(await codeOf(forged(m))),
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

describe('consent marks a client writes itself, through the HTTP app', () => {
  let test: TestApp;
  let issued: Record<string, unknown>;
  afterAll(() => test.close());

  beforeAll(async () => {
    const landing = writeSmallLanding();
    test = await buildTestApp({ landing });
    const first = await test.graphql('{ customers(first: 1) { pageInfo { endCursor } } }', ANALYST_KEY);
    issued = cursorFields(first.body.data.customers.pageInfo.endCursor);
    // bob withdraws: the version still holds him, hidden.
    writeLanding(landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await test.lake.services.consent.refresh();
  });

  it(`tell nothing of which serials consent hides, at any position (property, seed ${SEED})`, async () => {
    // What a client can write: the unkeyed digest of a guessed hidden list up to a position of its choosing, or no mark.
    const guesses: Array<readonly string[] | undefined> = [undefined, [], ['serial-bob']];
    const position = fc.oneof(fc.constantFrom('serial-a', 'serial-bob', 'serial-bob\u0000', 'serial-c', 'serial-z'), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(position, fc.constantFrom(...guesses), async (serial, guess) => {
        const after = forgedCursor(issued, { p: [serial], c: guess && consentMark(guess, [serial]) });
        const answer = await test.graphql(PAGE, ANALYST_KEY, { after });
        expect([serial, answer.body.errors?.[0]?.extensions?.code]).toEqual([serial, 'STALE_CURSOR']);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
