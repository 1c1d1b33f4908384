import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { join } from 'node:path';
import request from 'supertest';
import type { Engine } from '../../etl/engine/engine';
import { download } from '../helpers/export-download';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { erasedWithin } from '../helpers/erased-within';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { accelerometerRecord, customerRecord, emailOf, stepTrainerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * Consent read from landing, through the HTTP API: the registry reads landing
 * with the build's reader, so a line the build refuses can never keep a
 * customer served; revocations reach the disk within STEDI_ERASURE_MS.
 */

const STEPS = `query($after: String) { stepTrainerReadings(first: 1, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }`;
const ALICE = '{ customer(serialNumber: "serial-alice") { serialNumber } }';

// A read of landing as it is now: refresh() shares the read its 100 ms timer may have started before the change.
const readAfterChange = async (consent: { refresh(): Promise<unknown> }): Promise<unknown> => {
  await consent.refresh().catch(() => undefined);
  return consent.refresh();
};
const revocation = (name: string, updatedAt = 1_656_000_000_000) => JSON.stringify(customerRecord({ name, serial: `serial-${name}`, consentAt: null, updatedAt }));

describe('consent read from landing, through the API', () => {
  const smallLake = smallLakeCopies();
  let test: TestApp;
  afterEach(() => test.close());

  it('hides at once a customer whose newer revocation ends in 0x01 and text, and counts them as consent uncertain', async () => {
    const { landing, lake: copy } = smallLake();
    test = await buildTestApp({ landing, lake: copy, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    writeLanding(landing, 'customer', [`${revocation('alice')}\u0001garbage`], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    const lake = (await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake;
    expect(lake.consentUncertain).toBe(1);
    const steps = (await test.graphql(STEPS.replace('first: 1', 'first: 100'), ANALYST_KEY, {})).body.data.stepTrainerReadings.edges;
    expect(steps.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).not.toContain('serial-alice');
  });

  it('hides at once a customer whose address another customer\'s valid record names beyond its declared fields, until their own newer record, and never hides that record\'s writer', async () => {
    const { landing, lake: copy } = smallLake();
    test = await buildTestApp({ landing, lake: copy, build: false });
    const BOB = '{ customer(serialNumber: "serial-bob") { serialNumber } }';
    // bob's record names bob in its meta (its own, in capitals): bob is served. mallory's names alice's address there.
    const bob = { ...customerRecord({ name: 'bob', serial: 'serial-bob', updatedAt: 1_656_000_000_000 }), previousEmail: emailOf('bob').toUpperCase() };
    const mallory = { ...customerRecord({ name: 'mallory', serial: 'serial-mallory', updatedAt: 1_656_000_000_000 }), meta: { email: emailOf('alice'), shareWithResearchAsOfDate: null } };
    writeLanding(landing, 'customer', [JSON.stringify(bob), JSON.stringify(mallory)], 'customer-2.json');
    await readAfterChange(test.lake.services.consent);
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql(BOB, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-bob' });
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(1);
    // alice's own record, newer than mallory's, clears the doubt.
    writeLanding(landing, 'customer', [JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_657_000_000_000 }))], 'customer-3.json');
    await readAfterChange(test.lake.services.consent);
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(0);
  });

  it('keeps serving a customer when 2,500 records add a harmless field past the search\'s kept text (STEDI_DOUBT_TEXT_BYTES), and hides every one once text that may name someone outgrows it', async () => {
    const { landing, lake: copy } = smallLake();
    test = await buildTestApp({ landing, lake: copy, build: false, config: { doubtTextBytes: 64 * 1024 } });
    const records = (extra: (k: number) => Record<string, unknown>): string[] =>
      Array.from({ length: 2_500 }, (_, k) => JSON.stringify({ ...customerRecord({ name: `c${k}`, serial: `serial-c${k}` }), ...extra(k) }));
    writeLanding(landing, 'customer', records(() => ({ source: 'app', createdBy: 'etl@stedi.example' })), 'customer-2.json');
    await readAfterChange(test.lake.services.consent);
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    // Fails closed: past the budget every customer counts as named.
    writeLanding(landing, 'customer', records((k) => ({ note: `ticket ${k}@ ${'x'.repeat(250)}` })), 'customer-2.json');
    await readAfterChange(test.lake.services.consent);
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
  });

  it('tells an analyst no trusted or curated row count while a version holds a customer who withdrew (it would tell their rows); an admin sees them', async () => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    const LAKE = '{ lake { withdrawnSinceBuild tables { name zone rows } versions { tables { name rows } } } stepTrainerReadings(first: 1) { totalCount } }';
    const rowsOf = (answer: { tables: Array<{ name: string; rows: number | null }> }, name: string) => answer.tables.find((t) => t.name === name)!.rows;
    const before = (await test.graphql(LAKE, ANALYST_KEY)).body.data;
    // Nobody hidden from the version: its counts are what an analyst is served.
    expect(rowsOf(before.lake, 'step_trainer_trusted')).toBe(before.stepTrainerReadings.totalCount);
    writeLanding(landing, 'customer', [revocation('alice')], 'customer-2.json');
    await test.lake.services.consent.refresh();
    const after = (await test.graphql(LAKE, ANALYST_KEY)).body;
    expect(after.errors).toBeUndefined();
    expect(after.data.lake.withdrawnSinceBuild).toBe(1);
    // rows minus totalCount was alice's readings: no trusted or curated count is told; landing lines are.
    for (const table of after.data.lake.tables) expect([table.name, table.rows === null]).toEqual([table.name, table.zone !== 'landing']);
    expect(after.data.lake.versions[0].tables).toEqual(after.data.lake.tables.map(({ name, rows }: { name: string; rows: number | null }) => ({ name, rows })));
    expect(rowsOf(after.data.lake, 'customer_landing')).toBe(rowsOf(before.lake, 'customer_landing'));
    const admin = (await test.graphql(LAKE, ADMIN_KEY)).body.data.lake;
    expect(admin.tables).toEqual(before.lake.tables);
  });

  it.each([
    ['spells the email in other ASCII case', 'Alice@TEST.com'],
    ['writes the address after a display name', 'Alice Smith <alice@test.com>'],
    ['writes the address after mailto: with a trailing dot', 'mailto:alice@test.com.'],
  ])('hides at once, and holds pending erasure, a customer whose newer revocation %s on another device', async (_how, email) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    const respelled = { ...customerRecord({ name: 'alice', serial: 'serial-alice-2', consentAt: null, updatedAt: 1_656_000_000_000 }), email };
    writeLanding(landing, 'customer', [respelled], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(2);
    expect(test.lake.services.consent.pendingErasure().versions).toHaveLength(1);
  });

  it.each([
    ['in full-width letters (the same under NFKC)', '\uff41\uff4c\uff49\uff43\uff45@test.com'],
    ['with a zero-width space', 'ali\u200bce@test.com'],
    ['with a NUL', 'alice@test.com\u0000'],
    ['with a byte order mark', '\ufeffalice@test.com'],
  ])('hides at once a customer whose newer revocation spells the email %s on another device', async (_how, email) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    const respelled = { ...customerRecord({ name: 'alice', serial: 'serial-alice-2', consentAt: null, updatedAt: 1_656_000_000_000 }), email };
    writeLanding(landing, 'customer', [respelled], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(2);
  });

  it.each([
    ['in full-width letters followed at once by a combining mark (spelled whole, `…coḿ`)', '\uff41lice@test.com\u0301'],
    ['as JSON escapes of visible characters, its @ among them', '\\u0061lice\\u0040test.com'],
    ["with a letter as Python's \\x escape", 'ali\\x63e@test.com'],
    ["percent-encoded, as a form's body writes it", 'alice%40test.com'],
    ['with its @ as an HTML or XML decimal character reference', 'alice&#64;test.com'],
    ['with its @ as a hexadecimal character reference and a letter as a named one', 'alice&#x40;test&period;com'],
    ['with its @ as the named reference &commat;', 'alice&commat;test.com'],
  ])('hides at once a customer whose revocation, not JSON, writes the email %s', async (_how, written) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    // A Python dict's printout: only the search of the line's text finds the address.
    writeLanding(landing, 'customer', [`{'email': '${written}', 'shareWithResearchAsOfDate': None}`], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(1);
  });

  it('hides at once a customer whose consenting record spells the email in NFC when a newer revocation spells it in NFD', async () => {
    const landing = writeSmallLanding();
    const jose = (email: string, serial: string, consentAt: number | null, updatedAt: number) => ({ ...customerRecord({ name: 'jose', serial, consentAt, updatedAt }), email });
    writeLanding(landing, 'customer', [jose('jos\u00e9@test.com', 'serial-jose', 1_655_000_000_000, 1_655_000_000_000)], 'customer-2.json');
    writeLanding(landing, 'accelerometer', [{ ...accelerometerRecord('jose', 1_655_000_001_000, 1, 1, 1), user: 'jos\u00e9@test.com' }], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-jose', 1_655_000_001_000, 100)], 'step_trainer-2.json');
    test = await buildTestApp({ landing });
    const JOSE = '{ customer(serialNumber: "serial-jose") { serialNumber } }';
    expect((await test.graphql(JOSE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-jose' });
    writeLanding(landing, 'customer', [jose('jose\u0301@test.com', 'serial-jose-2', null, 1_656_000_000_000)], 'customer-3.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(JOSE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(2);
  });

  it.each([
    ['saved in Latin-1 (its é the byte 0xE9, read as U+FFFD)', (line: string) => Buffer.from(line, 'latin1')],
    ['saved as UTF-8 twice (its é written `Ã©`)', (line: string) => Buffer.from(Buffer.from(line).toString('latin1'))],
  ])('hides at once a customer whose revocation, its email beyond ASCII, was %s', async (_how, saved) => {
    const landing = writeSmallLanding();
    const jose = (serial: string, consentAt: number | null, updatedAt: number) => ({ ...customerRecord({ name: 'jose', serial, consentAt, updatedAt }), email: 'jos\u00e9@test.com' });
    writeLanding(landing, 'customer', [jose('serial-jose', 1_655_000_000_000, 1_655_000_000_000)], 'customer-2.json');
    writeLanding(landing, 'accelerometer', [{ ...accelerometerRecord('jose', 1_655_000_001_000, 1, 1, 1), user: 'jos\u00e9@test.com' }], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-jose', 1_655_000_001_000, 100)], 'step_trainer-2.json');
    test = await buildTestApp({ landing });
    const JOSE = '{ customer(serialNumber: "serial-jose") { serialNumber } }';
    expect((await test.graphql(JOSE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-jose' });
    // On a new device (one an accepted record names would hide its holder anyway), its phone a number: quarantined either way.
    const revocation = JSON.stringify({ ...jose('tablet-1', null, 1_656_000_000_000), phone: 8015551212 });
    writeFileSync(join(landing, 'customer', 'landing', 'customer-3.json'), Buffer.concat([saved(revocation), Buffer.from('\n')]));
    await test.lake.services.consent.refresh();
    expect((await test.graphql(JOSE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
  });

  it('hides at once a customer whose revocation arrives written as UTF-16LE, and counts them as consent uncertain', async () => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    writeFileSync(join(landing, 'customer', 'landing', 'customer-2.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${revocation('alice')}\r\n`, 'utf16le')]));
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    expect((await test.graphql('{ lake { consentUncertain } }', ANALYST_KEY)).body.data.lake.consentUncertain).toBe(1);
  });

  it('hides a customer whose revocation arrives as a link to a file elsewhere in the landing folder', async () => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    const elsewhere = writeLanding(join(landing, 'archive'), 'customer', [revocation('alice')], 'revocation.json');
    symlinkSync(elsewhere, join(landing, 'customer', 'landing', 'customer-2.json'));
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
  });

  it('hides a customer whose duplicate consent key ends in null, as JSON.parse reads it', async () => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    const line = JSON.stringify(customerRecord({ name: 'bob', serial: 'serial-bob', updatedAt: 1_656_000_000_000 })).replace(/}$/, ',"shareWithResearchAsOfDate":null}');
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql('{ customer(serialNumber: "serial-bob") { serialNumber } }', ANALYST_KEY)).body.data.customer).toBeNull();
  });

  it('serves no reading of a device a non-consenting customer also claims, and no page fails on the numbers the build used to accept', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'mallory', serial: 'serial-bob', consentAt: null })], 'customer-2.json');
    writeLanding(
      landing,
      'step_trainer',
      [
        '{"sensorReadingTime":1655000005000,"serialNumber":"serial-alice","distanceFromObject":NaN}',
        '{"sensorReadingTime":1655000005000,"serialNumber":"serial-alice","distanceFromObject":1e309}',
        '{"sensorReadingTime":9007199254740993,"serialNumber":"serial-alice","distanceFromObject":1}',
      ],
      'step_trainer-2.json',
    );
    test = await buildTestApp({ landing });
    const answer = await test.graphql('{ stepTrainerReadings(first: 100) { edges { node { serialNumber sensorReadingTime distanceFromObject } } } machineLearningSamples(first: 100) { edges { node { serialNumber } } } }', ANALYST_KEY);
    expect(answer.body.errors).toBeUndefined();
    const serials = answer.body.data.stepTrainerReadings.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber);
    expect(serials).toEqual(['serial-alice', 'serial-alice']);
    expect(answer.body.data.machineLearningSamples.edges.every((e: { node: { serialNumber: string } }) => e.node.serialNumber === 'serial-alice')).toBe(true);
    expect((await test.graphql('{ customer(serialNumber: "serial-bob") { serialNumber } }', ANALYST_KEY)).body.data.customer).toBeNull();
  });

  it.each([
    ['a non-consenting customer names in other ASCII case', JSON.stringify(customerRecord({ name: 'mallory', serial: 'SERIAL-ALICE', consentAt: null, updatedAt: 1_656_000_000_000 }))],
    ['a quarantined line of another customer names', `${JSON.stringify(customerRecord({ name: 'mallory', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))},`],
    ['a quarantined line names under a key in other case', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'x', consentAt: null, updatedAt: 1_656_000_000_000 }), serialNumber: undefined, SerialNumber: 'serial-alice' })],
    ['a quarantined line names under a key in lower case', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'x', consentAt: null, updatedAt: 1_656_000_000_000 }), serialNumber: undefined, serialnumber: 'serial-alice' })],
    ['a quarantined line names under a key with a space in it', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'x', consentAt: null, updatedAt: 1_656_000_000_000 }), serialNumber: undefined, ' serialNumber': 'serial-alice' })],
    ['a quarantined line names in a line that is not JSON', "{'email': 'mallory@test.com', 'serialNumber': 'SERIAL-ALICE', 'shareWithResearchAsOfDate': None}"],
    ['an XML line names, its dash a character reference', '<customer><email>mallory@test.com</email><serialNumber>serial&#45;alice</serialNumber></customer>'],
    ['a valid consenting record of another customer names under a nested key', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'serial-mallory' }), meta: { serialNumber: 'serial-alice' } })],
    ['a valid record of another customer names under an undeclared key', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'serial-mallory', consentAt: null }), previousSerialNumber: 'SERIAL-ALICE' })],
  ])('hides at once, and holds pending erasure, a customer whose device %s', async (_how, line) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    const steps = (await test.graphql(STEPS.replace('first: 1', 'first: 100'), ANALYST_KEY, {})).body.data.stepTrainerReadings.edges;
    expect(steps.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).not.toContain('serial-alice');
    expect(test.lake.services.consent.pendingErasure().versions).toHaveLength(1);
  });

  // Each named serial-bob once, then another device; bob names serial-bob now. mallory never consented; zoe consented
  // only later than bob did, so under as-of bob's readings from her time on the device are hers from before her consent.
  const handedOver = {
    'a non-consenting customer': [
      customerRecord({ name: 'mallory', serial: 'serial-bob', consentAt: null, updatedAt: 1_650_000_000_000 }),
      customerRecord({ name: 'mallory', serial: 'serial-mallory-2', consentAt: null, updatedAt: 1_656_000_000_000 }),
    ],
    'a customer consenting later': [
      customerRecord({ name: 'zoe', serial: 'serial-bob', consentAt: 1_655_000_003_000, updatedAt: 1_650_000_000_000 }),
      customerRecord({ name: 'zoe', serial: 'serial-zoe', consentAt: 1_655_000_003_000, updatedAt: 1_656_000_000_000 }),
    ],
  };
  const BOB_AND_STEPS = '{ customer(serialNumber: "serial-bob") { serialNumber } stepTrainerReadings(first: 100) { edges { node { serialNumber } } } }';
  const servesBob = (answer: { body: { data: { customer: unknown; stepTrainerReadings: { edges: Array<{ node: { serialNumber: string } }> } } } }): boolean =>
    answer.body.data.customer !== null || answer.body.data.stepTrainerReadings.edges.some((e) => e.node.serialNumber === 'serial-bob');

  it.each(Object.entries(handedOver))('serves no reading of a device %s named in an older record, though another customer names it now', async (_who, records) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', records, 'customer-2.json');
    test = await buildTestApp({ landing, consentPolicy: 'as-of' });
    const answer = await test.graphql(BOB_AND_STEPS, ANALYST_KEY);
    expect(answer.body.errors).toBeUndefined();
    expect(servesBob(answer)).toBe(false);
  });

  it.each(Object.entries(handedOver))('hides at once, and holds pending erasure, a customer whose device %s named in an older record', async (_who, records) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false });
    expect(servesBob(await test.graphql(BOB_AND_STEPS, ANALYST_KEY))).toBe(true);
    writeLanding(landing, 'customer', records, 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect(servesBob(await test.graphql(BOB_AND_STEPS, ANALYST_KEY))).toBe(false);
    // Either may own readings on it (under as-of, from before their consent): the version must go, as for a revocation.
    expect(test.lake.services.consent.pendingErasure().versions).toHaveLength(1);
  });

  it('under as-of, hides at once the readings before a consent date moved later', async () => {
    const landing = writeSmallLanding();
    test = await buildTestApp({ landing, consentPolicy: 'as-of' });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).not.toBeNull();
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: 1_655_000_001_500, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await test.lake.services.consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
  });

  it('keeps answering when a customer landing line is far over the line size limit', async () => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false, config: { consentRefreshMs: 50 } });
    appendFileSync(join(landing, 'customer', 'landing', 'customer-1.json'), `{"customerName":"${'x'.repeat(17 * 1024 * 1024)}"}\n`);
    await test.lake.services.consent.refresh();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const answer = await test.graphql(ALICE, ANALYST_KEY);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.customer).toEqual({ serialNumber: 'serial-alice' });
  });

  it('erases a revoked customer from every kept version within STEDI_ERASURE_MS: the server rebuilds, older versions expire, their cursors answer STALE_CURSOR naming consent', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'accelerometer', [accelerometerRecord('alice', 1_655_000_003_000)], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-alice', 1_655_000_003_000)], 'step_trainer-2.json');
    // The server starts its rebuild a third into the bound; the rest is room for a build on a busy machine (CI runs two suites at once).
    const erasureMs = 15_000;
    test = await buildTestApp({ landing, keepVersions: 3, config: { consentRefreshMs: 300, erasureMs } });
    const pinned = (await test.graphql(STEPS, ANALYST_KEY, {})).body.data.stepTrainerReadings;
    expect(await parquetFilesHolding(test.lake.lake, 'serial-alice')).not.toEqual([]);

    writeLanding(landing, 'customer', [revocation('alice')], 'customer-2.json');
    const seenAt = Date.now();
    // Twice: a refresh of the 300 ms timer may be under way, begun before the revocation was written, and the first call
    // shares it (single-flight); the second reads the landing as it is now.
    await test.lake.services.consent.refresh();
    await test.lake.services.consent.refresh();
    // Served: hidden at once. On disk: gone once the server's own rebuild has published.
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toBeNull();
    await erasedWithin(test, seenAt, erasureMs);
    expect(await parquetFilesHolding(test.lake.lake, 'serial-alice')).toEqual([]);
    expect(await parquetFilesHolding(test.lake.lake, emailOf('alice'))).toEqual([]);

    const stale = await test.graphql(STEPS, ANALYST_KEY, { after: pinned.pageInfo.endCursor });
    expect(stale.body.errors[0].extensions.code).toBe('STALE_CURSOR');
    expect(stale.body.errors[0].message).toMatch(/withdrew consent/);
    const metrics = (await request(test.server).get('/metrics')).text;
    expect(metrics).toMatch(/^# TYPE stedi_consent_revocations_seen_total counter$/m);
    expect(metrics).toMatch(/^stedi_consent_revocations_seen_total 1$/m);
    expect(metrics).toMatch(/^stedi_erasure_lag_seconds 0$/m);
  }, 30_000);
});

describe('answers while consent cannot be read from landing', () => {
  const smallLake = smallLakeCopies();
  let test: TestApp;
  afterEach(() => test.close());

  /** A server whose registry has read Alice's consent, then its landing folder moved away (the test moves it back). */
  async function servedThenLandingAway(): Promise<{ landing: string; away: string }> {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false, config: { consentRefreshMs: 100 } });
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    const away = `${landing}-away`;
    renameSync(landing, away);
    return { landing, away };
  }

  it('refuses every data field with CONSENT_UNAVAILABLE and /export with 503, naming no server path, and answers again once the landing folder is back', async () => {
    const { landing, away } = await servedThenLandingAway();
    const { consent } = test.lake.services;
    try {
      // Twice the refresh interval without a good refresh: the registry may no longer answer.
      while (!consent.staleness()) await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await test.graphql(`${ALICE.slice(0, -1)} stepTrainerReadings(first: 1) { edges { node { serialNumber } } } }`, ANALYST_KEY);
      expect(answer.body.data).toEqual({ customer: null, stepTrainerReadings: null });
      // The same error for both fields is listed once.
      expect(answer.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['CONSENT_UNAVAILABLE']);
      expect(answer.body.errors[0].message).toMatch(/^consent cannot be checked now: .*retry later/);
      const exported = await download(test.server, '?format=csv', ANALYST_KEY);
      expect(exported.status).toBe(503);
      expect(JSON.parse(exported.body.toString()).errors[0].extensions.code).toBe('CONSENT_UNAVAILABLE');
      // When the registry is read again: its refresh interval (100 ms here), in whole seconds.
      expect(exported.headers['retry-after']).toBe('1');
      expect(JSON.stringify(answer.body) + exported.body.toString()).not.toContain(landing);
    } finally {
      renameSync(away, landing);
    }
    // A background refresh begun while the folder was away fails, and a caller joins it (one read at a time): the
    // refresh after it is the first to start once the folder is back.
    await consent.refresh().catch(() => consent.refresh());
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
  });

  it('logs each 503 export answered CONSENT_UNAVAILABLE as a warning with its code, not as a failure of the server', async () => {
    // The registry logs why at each refresh; every refused export also logged "request failed" at error, with no code.
    const logs: Array<{ level: number; msg: string; path?: string; status?: number; code?: string }> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false, config: { consentRefreshMs: 100 }, logger: pino({ level: 'info' }, sink) });
    const { consent } = test.lake.services;
    renameSync(landing, `${landing}-away`);
    try {
      while (!consent.staleness()) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await download(test.server, '?format=csv', ANALYST_KEY).set('x-request-id', 'export-while-stale')).status).toBe(503);
    } finally {
      renameSync(`${landing}-away`, landing);
    }
    const lines = logs.filter((l) => (l as { requestId?: string }).requestId === 'export-while-stale' && l.status !== undefined);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request answered with a server condition', path: '/export/machine_learning_curated', status: 503, code: 'CONSENT_UNAVAILABLE' })]);
  });

  it('refuses data with CONSENT_UNAVAILABLE once it cannot re-read landing, even when the wall clock steps back an hour meanwhile', async () => {
    const { landing, away } = await servedThenLandingAway();
    const { consent } = test.lake.services;
    // NTP correcting a clock that ran fast, or a hand-set time: the last good refresh now looks an hour in the future.
    const wall = Date.now.bind(Date);
    const stepped = jest.spyOn(Date, 'now').mockImplementation(() => wall() - 3_600_000);
    try {
      for (let polls = 0; polls < 100 && !consent.staleness(); polls += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(consent.staleness()).toBeDefined();
      const answer = await test.graphql(ALICE, ANALYST_KEY);
      expect(answer.body.data).toEqual({ customer: null });
      expect(answer.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['CONSENT_UNAVAILABLE']);
      expect((await request(test.server).get('/readyz')).status).toBe(503);
    } finally {
      stepped.mockRestore();
      renameSync(away, landing);
    }
  });

  it.each([
    ['a gzipped file', (dir: string) => writeFileSync(join(dir, 'customer-2.json.gz'), gzipSync(`${revocation('alice')}\n`))],
    ['a partition folder', (dir: string) => {
      mkdirSync(join(dir, '2026'));
      writeFileSync(join(dir, '2026', 'customer-2.json'), `${revocation('alice')}\n`);
    }],
  ])('refuses data with CONSENT_UNAVAILABLE while customer landing holds %s, whose revocation no build reads, and answers again once it is moved out', async (_what, plant) => {
    const { landing, lake } = smallLake();
    test = await buildTestApp({ landing, lake, build: false, config: { consentRefreshMs: 100 } });
    const { consent } = test.lake.services;
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    const folder = join(landing, 'customer', 'landing');
    plant(folder);
    await expect(readAfterChange(consent)).rejects.toThrow(/which a build would not read/);
    while (!consent.staleness()) await new Promise((resolve) => setTimeout(resolve, 50));
    const answer = await test.graphql(ALICE, ANALYST_KEY);
    expect(answer.body.data).toEqual({ customer: null });
    expect(answer.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['CONSENT_UNAVAILABLE']);
    expect((await download(test.server, '?format=csv', ANALYST_KEY)).status).toBe(503);
    const ready = await request(test.server).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/holds an entry no build reads/);
    for (const entry of readdirSync(folder)) if (!entry.startsWith('customer-1')) rmSync(join(folder, entry), { recursive: true });
    await readAfterChange(consent);
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
  });

  it('answers CONSENT_UNAVAILABLE, rather than holding the request, while a read of landing hangs (a stalled network mount)', async () => {
    const { landing, lake } = smallLake();
    let release = (): void => undefined;
    const stall = { on: false, until: new Promise<void>((resolve) => (release = resolve)) };
    const wrapEngine = (inner: Engine): Engine => {
      const engine = Object.create(inner) as Engine;
      engine.landingIdentity = async (source) => (stall.on ? stall.until.then(() => inner.landingIdentity!(source)) : inner.landingIdentity!(source));
      engine.readLanding = async (source, sink, options) => (stall.on ? stall.until.then(() => inner.readLanding!(source, sink, options)) : inner.readLanding!(source, sink, options));
      return engine;
    };
    test = await buildTestApp({ landing, lake, build: false, config: { consentRefreshMs: 100 }, wrapEngine });
    const { consent } = test.lake.services;
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
    stall.on = true;
    try {
      while (!consent.staleness()) await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await test.graphql(ALICE, ANALYST_KEY);
      expect(answer.body.data).toEqual({ customer: null });
      expect(answer.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['CONSENT_UNAVAILABLE']);
      expect((await download(test.server, '?format=csv', ANALYST_KEY)).status).toBe(503);
    } finally {
      stall.on = false;
      release();
    }
    await consent.refresh();
    expect((await test.graphql(ALICE, ANALYST_KEY)).body.data.customer).toEqual({ serialNumber: 'serial-alice' });
  });
});
