import { GetObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import type { BuildLockInfo } from '../../etl/engine/engine';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { closeServices, createServices, type Services } from '../../src/services';
import { type FakeAws, fakeAws } from '../helpers/fake-aws';
import { ANALYST_KEY } from '../helpers/http-app';
import { appUrl } from '../helpers/run-graphql';

/**
 * An /export refused LAKE_DAMAGED or LAKE_NOT_BUILT on Athena asks whether a build holds the lake's lock (a Retry-After
 * then says when to come back): that is an S3 read, so a client retrying in a loop must not make one per request.
 */

const LAKE = 's3://example-bucket/stedi';
const LOCK_OBJECT = 'example-bucket/stedi/_stedi/build.lock';

async function damagedLake(): Promise<{ aws: FakeAws; services: Services; url: string }> {
  const aws = fakeAws();
  // A manifest S3 holds but no build wrote: the lake is damaged until the next build.
  aws.s3.put(`${LAKE}/_stedi/manifest.json`, '{"versions": [');
  const engine = new AthenaEngine({ lake: LAKE, manifestCacheMs: 0 }, aws.clients);
  const services = await createServices(loadConfig({ engine: 'athena', lake: LAKE, logLevel: 'silent' }, {}), engine, createLogger('silent'));
  return { aws, services, url: await appUrl(services) };
}

const refusedExport = async (url: string): Promise<[number, string, string | undefined]> => {
  const res = await request(url).get('/export/machine_learning_curated?format=csv').set('authorization', `Bearer ${ANALYST_KEY}`);
  return [res.status, JSON.parse(res.text).errors[0].extensions.code, res.headers['retry-after']];
};

describe('an /export refused on Athena for want of a servable lake', () => {
  const opened: Services[] = [];
  const open = async () => {
    const lake = await damagedLake();
    opened.push(lake.services);
    return lake;
  };
  afterAll(async () => {
    for (const services of opened) {
      await closeServices(services);
      await services.engine.close();
    }
  });

  it('reads the lake lock at most once for many refused requests in a row', async () => {
    const { aws, url } = await open();
    const lockReads = (): number => aws.s3.mock.commandCalls(GetObjectCommand).filter((c) => `${c.args[0].input.Bucket}/${c.args[0].input.Key}` === LOCK_OBJECT).length;
    for (let i = 0; i < 8; i += 1) expect(await refusedExport(url)).toEqual([503, 'LAKE_DAMAGED', undefined]);
    // One per request before: a client retrying in a loop made as many S3 reads.
    expect(lockReads()).toBeLessThanOrEqual(1);
  });

  it('says to come back in 30 s while a build by hand holds the lock', async () => {
    const { services, url } = await open();
    jest.spyOn(services.engine, 'buildLockHolder').mockResolvedValue({ running: true } as BuildLockInfo);
    expect(await refusedExport(url)).toEqual([503, 'LAKE_DAMAGED', '30']);
  });

  it('answers at once, without Retry-After, when S3 does not answer the lock read', async () => {
    const { services, url } = await open();
    jest.spyOn(services.engine, 'buildLockHolder').mockReturnValue(new Promise(() => undefined));
    const started = performance.now();
    expect(await refusedExport(url)).toEqual([503, 'LAKE_DAMAGED', undefined]);
    // The AWS call's own limit is 30 s, with retries: the refusal waited that long.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
