import { ApiKeys } from '../../src/auth/api-keys';
import { ALONE_PER_TURN } from '../../src/http/key-turns';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { rawPost, sendAtOnce } from '../helpers/requests-at-once';

/**
 * One key's GraphQL requests begin one an event-loop turn, refused documents and introspection too, each key in its
 * own queue (key-turns.ts): a key sending many junk documents at once has them wait, and refused past its places,
 * while another key's request that arrived with them begins at once. Sent as raw requests written in one go, so they
 * all arrive in the same turn of the server's event loop; nothing is timed.
 */

const OTHER_KEY = 'test-analyst-key-two-0123456789abcdef';

describe('turns for each API key’s GraphQL requests', () => {
  let t: TestApp;
  const keys = new ApiKeys([{ key: ANALYST_KEY, role: 'analyst' }, { key: OTHER_KEY, role: 'analyst' }]);

  beforeAll(async () => {
    // Places to wait: 1 + 2 = 3 (STEDI_KEY_CONCURRENCY + STEDI_KEY_QUEUE).
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: keys, config: { keyConcurrency: 1, keyQueue: 2, keyQueueMs: 60_000 } });
  });
  afterAll(() => t.close());

  it('has one key’s junk documents wait for turns and refuses those past its places with 429 RATE_LIMITED, while another key’s query sent with them is answered', async () => {
    // A new unknown field each: nothing kept, each parsed and refused by validation.
    const junk = Array.from({ length: 10 }, (_, i) => rawPost(ANALYST_KEY, `{ ${Array.from({ length: 30 }, (_, j) => `junk${i}x${j}`).join(' ')} }`));
    // The other key's first: from then on this turn is shared, and the junk key's documents take turns.
    const answers = await sendAtOnce(t.server, [rawPost(OTHER_KEY, '{ customers(first: 2) { edges { node { serialNumber } } } }'), ...junk]);

    const other = answers.shift()!;
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body).data.customers.edges).toHaveLength(2);
    const statuses = answers.map((a) => a.status).sort();
    // One begins in the turn they arrive in, three wait for later turns, six are refused.
    expect(statuses).toEqual([400, 400, 400, 400, 429, 429, 429, 429, 429, 429]);
    const refused = JSON.parse(answers.find((a) => a.status === 429)!.body);
    expect(refused.errors).toEqual([{ message: expect.stringMatching(/3 GraphQL requests waiting to begin.*STEDI_KEY_CONCURRENCY/), extensions: { code: 'RATE_LIMITED' } }]);
    expect(t.app.keyTurns.waitingOf(keys.authenticate(ANALYST_KEY)!.keyId)).toBe(0);
  });

  it('begins every request of a key alone in its turn at once, up to ALONE_PER_TURN: turns are for sharing a turn between keys', async () => {
    // Ten at once, past its three places to wait (the other key, in good standing): none waits, none is refused.
    const answers = await sendAtOnce(t.server, Array.from({ length: 10 }, (_, i) => rawPost(OTHER_KEY, `{ t${i}: __typename }`)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
  });

  it('has a key alone in its turn begin ALONE_PER_TURN requests in it, the rest wait for later turns and past its places are refused 429', async () => {
    // A flood over many connections of one key kept whole turns for itself: other clients' connections, not yet
    // handed to the worker, waited behind it (a /healthz 13 s in a cluster).
    const sent = ALONE_PER_TURN + 10;
    const answers = await sendAtOnce(t.server, Array.from({ length: sent }, (_, i) => rawPost(OTHER_KEY, `{ alone${i}: __typename }`)));
    const statuses = answers.map((a) => a.status).sort();
    // ALONE_PER_TURN begin in the turn they arrive in, three wait for later turns, the rest are refused.
    expect(statuses).toEqual([...Array.from({ length: ALONE_PER_TURN + 3 }, () => 200), ...Array.from({ length: sent - ALONE_PER_TURN - 3 }, () => 429)]);
    expect(t.app.keyTurns.waitingOf(keys.authenticate(OTHER_KEY)!.keyId)).toBe(0);
  });

  it('lets keys whose documents were just refused begin one request a turn between them, while a key in good standing begins at once', async () => {
    const junkKeys = [1, 2, 3].map((n) => `test-junk-key-${n}-0123456789abcdef`);
    await t.close();
    const many = new ApiKeys([...junkKeys, OTHER_KEY].map((key) => ({ key, role: 'analyst' as const })));
    // Places to wait: 1 + 1 = 2 for each key.
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: many, config: { keyConcurrency: 1, keyQueue: 1, keyQueueMs: 60_000 } });
    let n = 0;
    const junk = (key: string): string => rawPost(key, `{ junk${(n += 1)} }`);
    // Each junk key is refused once (400): for the next second it is a refusing key.
    expect((await sendAtOnce(t.server, junkKeys.map(junk))).map((a) => a.status)).toEqual([400, 400, 400]);

    const answers = await sendAtOnce(t.server, [...junkKeys.flatMap((key) => [junk(key), junk(key), junk(key), junk(key)]), rawPost(OTHER_KEY, '{ customers(first: 2) { edges { node { serialNumber } } } }')]);
    expect(answers.pop()!.status).toBe(200);
    // Turns by key alone: each junk key begins one, two wait, one is refused (three 429s). Between refusing keys, one
    // begins in the turn they arrive in: the other two keys' four each have two places to wait, and two are refused.
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(7);
  });

  it('runs each request that waited for its turn as its own: its log lines carry its request id', async () => {
    await t.close();
    const { logger, lines } = loggedLines();
    t = await buildTestApp({ landing: writeSmallLanding(), logger, apiKeys: keys, config: { keyConcurrency: 2, keyQueue: 20, keyQueueMs: 60_000 } });
    // Each fails in its own aliased field (a cursor no page gave), so each refusal's log line names its request's field.
    const requests = Array.from({ length: 12 }, (_, i) => rawPost(ANALYST_KEY, `{ field${i}: customers(first: 1, after: "nowhere") { edges { node { serialNumber } } } }`, { 'X-Request-Id': `turn-request-${i}` }));
    // Another key's request first: the turn is shared, and the rest wait for theirs.
    const answers = await sendAtOnce(t.server, [rawPost(OTHER_KEY, '{ __typename }'), ...requests]);
    expect(answers.shift()!.status).toBe(200);
    expect(answers.every((a) => JSON.parse(a.body).errors?.length === 1)).toBe(true);
    const refusals = lines.map((line) => JSON.parse(line) as { msg: string; requestId: string; path?: string[] }).filter((entry) => entry.msg === 'request refused or field failed for the caller');
    expect(refusals.map((entry) => [entry.path?.[0], entry.requestId]).sort()).toEqual(requests.map((_, i) => [`field${i}`, `turn-request-${i}`]).sort());
  });
});
