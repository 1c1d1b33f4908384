import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { LakeNotBuiltError } from '../../../../etl/engine/engine-errors';
import { type FakeAws, fakeAws } from '../../../helpers/fake-aws';
import { manifestOfVersions } from '../../../helpers/manifest-fixture';

/**
 * The Athena engine tells the consent registry whether the customer landing changed by listing its
 * objects (one LIST, not two billed scans). Any write, new or removed object, or a new live version
 * gives another key; a listing that fails or is incomplete rejects, so the registry reads instead.
 */
const LAKE = 's3://example-bucket/stedi';
const PREFIX = `${LAKE}/customer/landing/`;
const OLD = new Date('2026-01-01T00:00:00Z');

function lake(): { aws: FakeAws; engine: AthenaEngine } {
  const aws = fakeAws();
  aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifestOfVersions('20260101t000000000z_aaaa')));
  aws.s3.put(`${PREFIX}customer-1.json`, '{"email":"a@x.com"}\n', OLD);
  aws.s3.put(`${PREFIX}customer-2.json`, '{"email":"b@x.com"}\n', OLD);
  return { aws, engine: new AthenaEngine({ lake: LAKE, manifestCacheMs: 0 }, aws.clients) };
}

describe('the Athena landing identity', () => {
  it('gives the same key while the customer landing objects and the live version are unchanged, and starts no query', async () => {
    const { aws, engine } = lake();
    // Other sources' objects are not the customer landing's.
    aws.s3.put(`${LAKE}/accelerometer/landing/a.json`, '{}');
    const first = await engine.landingIdentity('customer');
    aws.s3.put(`${LAKE}/accelerometer/landing/b.json`, '{}');
    expect((await engine.landingIdentity('customer')).key).toBe(first.key);
    expect(first.changedAtMs).toBe(OLD.getTime());
    expect(aws.athena.queries).toHaveLength(0);
  });

  it.each([
    ['an object rewritten with other bytes of the same size', (aws: FakeAws) => aws.s3.put(`${PREFIX}customer-1.json`, '{"email":"c@x.com"}\n', OLD)],
    ['an object rewritten with the same bytes later', (aws: FakeAws) => aws.s3.put(`${PREFIX}customer-1.json`, '{"email":"a@x.com"}\n')],
    ['an object added', (aws: FakeAws) => aws.s3.put(`${PREFIX}customer-3.json`, '{"email":"c@x.com"}\n', OLD)],
    ['an object added in a folder below the prefix', (aws: FakeAws) => aws.s3.put(`${PREFIX}2026/late.json`, '{"email":"c@x.com"}\n', OLD)],
    ['an object removed', (aws: FakeAws) => aws.s3.objects.delete(`${PREFIX}customer-2.json`.replace('s3://', ''))],
    ['a new live version', (aws: FakeAws) => aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifestOfVersions('20260102t000000000z_bbbb', '20260101t000000000z_aaaa')))],
  ])('gives another key after %s', async (_what, change) => {
    const { aws, engine } = lake();
    const before = await engine.landingIdentity('customer');
    change(aws);
    expect((await engine.landingIdentity('customer')).key).not.toBe(before.key);
  });

  it('lists the landing prefix the live version was built from, which its views read, though the server was given none', async () => {
    const { aws, engine } = lake();
    const built = `s3://landing-bucket/incoming`;
    const manifest = manifestOfVersions('20260101t000000000z_aaaa');
    manifest.versions[0]!.landing = built;
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest));
    aws.s3.put(`${built}/customer/landing/customer-1.json`, '{"email":"a@x.com"}\n', OLD);
    const before = await engine.landingIdentity('customer');
    // A revocation written where the live views read.
    aws.s3.put(`${built}/customer/landing/customer-1.json`, '{"email":"a@x.com","shareWithResearchAsOfDate":null}\n', OLD);
    expect((await engine.landingIdentity('customer')).key).not.toBe(before.key);
  });

  it('lists every page of a prefix holding more than 1,000 objects', async () => {
    const { aws, engine } = lake();
    for (let i = 0; i < 2_100; i += 1) aws.s3.put(`${PREFIX}part-${String(i).padStart(5, '0')}.json`, '{}', OLD);
    const before = await engine.landingIdentity('customer');
    expect(aws.s3.mock.commandCalls(ListObjectsV2Command).length).toBeGreaterThanOrEqual(3);
    // The last page's last object counts too.
    aws.s3.put(`${PREFIX}part-02099.json`, '[]', OLD);
    expect((await engine.landingIdentity('customer')).key).not.toBe(before.key);
  });

  it.each([
    ['a listing that fails', { error: Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }) }, /Access Denied/],
    ['a page cut short without a continuation token', { page: { Contents: [], KeyCount: 0, IsTruncated: true } }, /cut short/],
    ['a continuation token given twice', { page: { Contents: [], KeyCount: 0, IsTruncated: true, NextContinuationToken: 'again' } }, /repeats/],
    ['an object without its ETag', { page: { Contents: [{ Key: 'stedi/customer/landing/a.json', Size: 2, LastModified: OLD }], KeyCount: 1 } }, /ETag/],
    ['an object without its LastModified', { page: { Contents: [{ Key: 'stedi/customer/landing/a.json', Size: 2, ETag: '"e"' }], KeyCount: 1 } }, /LastModified/],
    ['an object outside the prefix', { page: { Contents: [{ Key: 'stedi/other/a.json', Size: 2, ETag: '"e"', LastModified: OLD }], KeyCount: 1 } }, /key, size/],
    ['a page counting more keys than it lists', { page: { Contents: [], KeyCount: 3 } }, /counts 3 keys but lists 0/],
  ])('rejects %s, never calling the landing unchanged', async (_what, answer, message) => {
    const { aws, engine } = lake();
    if ('error' in answer) aws.s3.mock.on(ListObjectsV2Command, { Prefix: 'stedi/customer/landing/' }).rejects(answer.error);
    else aws.s3.mock.on(ListObjectsV2Command, { Prefix: 'stedi/customer/landing/' }).resolves(answer.page);
    await expect(engine.landingIdentity('customer')).rejects.toThrow(message);
  });

  it('rejects before the first build: no live version reads the landing', async () => {
    const { aws, engine } = lake();
    aws.s3.objects.delete(`${LAKE}/_stedi/manifest.json`.replace('s3://', ''));
    await expect(engine.landingIdentity('customer')).rejects.toBeInstanceOf(LakeNotBuiltError);
  });
});
