import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import type { AthenaEngineOptions } from '../../etl/engine/athena/athena-options';
import { SOURCES } from '../../etl/tables';
import { ApiKeys } from '../../src/auth/api-keys';
import { serve, type Serving } from '../../src/commands/serve.command';
import { loadConfig } from '../../src/config';
import { AthenaOnDuckDb } from '../helpers/athena-on-duckdb';
import { type FakeAws, fakeAws } from '../helpers/fake-aws';
import { ADMIN_KEY } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A server on Athena logs one JSON line per event, its engine's warnings too: a rebuild that could not give the S3 lock
 * back (it then refuses every build until deleted by hand) was one raw `stedi athena: ` line on stderr, which a log
 * collector reading JSON dropped or choked on.
 */

const LAKE = 's3://example-bucket/stedi';

describe('stedi serve on Athena: warnings in the log', () => {
  let aws: FakeAws;
  let duck: AthenaOnDuckDb;
  let running: Serving;
  let stdout = '';
  let stderr = '';
  beforeAll(async () => {
    aws = fakeAws();
    duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(writeSmallLanding(), s, 'landing')])));
    aws.athena.handler = duck.handler;
    // The server's own engine (its options, its warn), over the fakes instead of AWS.
    jest.spyOn(AthenaEngine, 'open').mockImplementation(async (options: AthenaEngineOptions) => new AthenaEngine({ ...options, pollMinMs: 1, pollMaxMs: 2 }, aws.clients));
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
    const config = loadConfig({ engine: 'athena', lake: LAKE, workers: 1, port: 0, host: '127.0.0.1', logLevel: 'warn' }, { AWS_REGION: 'eu-west-1' });
    running = await serve(config, new ApiKeys([{ key: ADMIN_KEY, role: 'admin' }]));
  });
  afterAll(async () => {
    await running?.shutdown();
    jest.restoreAllMocks();
    duck.close();
  });

  type Data = { rebuildZones?: { id: string }; rebuildJob?: { state: string } };
  const post = async (query: string): Promise<Data> => {
    const res = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return ((await res.json()) as { data: Data }).data;
  };

  it('says once, without a stack, that the consent registry waits for a first build', () => {
    // An unbuilt lake is a state: it was also a warn that the landing's identity could not be had, each with a stack trace.
    const lines = stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg: string; reason?: string; err?: unknown });
    expect(lines).toEqual([expect.objectContaining({ msg: expect.stringMatching(/^consent registry not loaded yet \(the lake is not built yet\)/), reason: expect.stringMatching(/has not been built yet/) })]);
    expect(lines[0].err).toBeUndefined();
  });

  it('logs a lock a rebuild could not give back as a JSON warn line with the error, nothing raw on stderr', async () => {
    aws.s3.mock.on(DeleteObjectCommand, { Key: 'stedi/_stedi/build.lock' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const id = (await post('mutation { rebuildZones { id } }')).rebuildZones!.id;
    let job = { state: 'QUEUED' };
    while (job.state === 'QUEUED' || job.state === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await post(`{ rebuildJob(id: "${id}") { state } }`)).rebuildJob!;
    }
    expect(job.state).toBe('SUCCEEDED');
    expect(stderr).toBe('');
    const lines = stdout.split('\n').filter((l) => l !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 40, msg: 'releasing the build lock failed', err: expect.objectContaining({ name: 'AccessDenied', message: 'Access Denied' }) }));
  });
});
