import { Readable } from 'node:stream';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { GlueCatalog } from '../../../../etl/engine/athena/glue-catalog';
import { S3BuildLock } from '../../../../etl/engine/athena/s3-build-lock';
import { S3Lake } from '../../../../etl/engine/athena/s3-lake';
import { EngineUnreachableError, QueryTimeoutError } from '../../../../etl/engine/engine-errors';
import { fakeAws } from '../../../helpers/fake-aws';
import { makeTempDir } from '../../../helpers/landing-fixture';

/**
 * An S3 or Glue call whose connection goes silent is given up by the SDK only
 * at its socket timeout, and tried again: minutes. Each call is abandoned at
 * STEDI_AWS_TIMEOUT_MS (AWS out of reach) or when the caller aborts (the
 * request it serves ended). The real SDK clients run here, over request
 * handlers that never answer, or answer and then stall half way through the body.
 */

const LAKE = 's3://example-bucket/stedi';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

type Behaviour = 'silent' | 'deaf' | 'stalled-body';

/** `silent`: never answers, ends on abort; `deaf`: never answers and ignores the abort too; `stalled-body`: headers, a few bytes, then nothing. */
function handler(behaviour: Behaviour, onHung: () => void = () => undefined) {
  const calls: string[] = [];
  return {
    calls,
    requestHandler: {
      handle: (request: { method: string; path: string }, options: { abortSignal?: AbortSignal } = {}) => {
        calls.push(`${request.method} ${request.path}`);
        if (behaviour === 'stalled-body') {
          const body = new Readable({ read() {} });
          body.push('{"format":');
          setImmediate(onHung);
          return Promise.resolve({ response: { statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': '4096' }, body } });
        }
        return new Promise((_resolve, reject) => {
          if (behaviour === 'silent') {
            const abort = (): void => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
            if (options.abortSignal?.aborted) return abort();
            options.abortSignal?.addEventListener('abort', abort, { once: true });
          }
          onHung();
        });
      },
    },
  };
}

const s3Over = (behaviour: Behaviour, onHung?: () => void) => {
  const h = handler(behaviour, onHung);
  return { ...h, client: new S3Client({ region: 'us-east-1', credentials, requestHandler: h.requestHandler, maxAttempts: 1, forcePathStyle: true }) };
};

describe('an S3 or Glue call that never answers', () => {
  it.each<Behaviour>(['silent', 'deaf', 'stalled-body'])('fails the manifest read as AWS out of reach at the call’s time limit (%s)', async (behaviour) => {
    const s3 = s3Over(behaviour);
    const read = new S3Lake(s3.client, 50).readManifest(`${LAKE}/_stedi/manifest.json`);
    await expect(read).rejects.toBeInstanceOf(EngineUnreachableError);
    await expect(read).rejects.toThrow(`cannot read the lake's manifest ${LAKE}/_stedi/manifest.json (TimeoutError: AWS did not answer within 50 ms (STEDI_AWS_TIMEOUT_MS))`);
    s3.client.destroy();
  });

  it('fails the lock, and listing and deleting a prefix, at the call’s time limit', async () => {
    const s3 = s3Over('deaf');
    await expect(new S3BuildLock(s3.client, `${LAKE}/_stedi/build.lock`, 50).acquire('build a')).rejects.toThrow(
      `cannot write the lake's lock ${LAKE}/_stedi/build.lock (TimeoutError: AWS did not answer within 50 ms (STEDI_AWS_TIMEOUT_MS)): AWS could not be reached`,
    );
    await expect(new S3Lake(s3.client, 50).deletePrefix(`${LAKE}/accelerometer/trusted/v=1/`)).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 50 });
    // The lock's PUT, the read that would give back a lock the PUT wrote after all (also given up), the listing.
    expect(s3.calls).toEqual(['PUT /example-bucket/stedi/_stedi/build.lock', 'GET /example-bucket/stedi/_stedi/build.lock', 'GET /example-bucket/']);
    s3.client.destroy();
  });

  it('fails pruning Glue versions as AWS out of reach at the call’s time limit', async () => {
    const h = handler('deaf');
    const glue = new GlueClient({ region: 'us-east-1', credentials, requestHandler: h.requestHandler, maxAttempts: 1 });
    const pruned = new GlueCatalog(glue, 'stedi', 50).pruneTableVersions('customer_trusted');
    await expect(pruned).rejects.toBeInstanceOf(EngineUnreachableError);
    await expect(pruned).rejects.toThrow('cannot list the Glue versions of stedi.customer_trusted (TimeoutError: AWS did not answer within 50 ms (STEDI_AWS_TIMEOUT_MS))');
    expect(h.calls).toHaveLength(1);
    glue.destroy();
  });

  it('abandons reading an export’s result file when the caller aborts, long before the call’s time limit', async () => {
    const caller = new AbortController();
    const s3 = s3Over('deaf', () => caller.abort(new Error('the client went away')));
    const aws = fakeAws(() => ({ outputLocation: 's3://results-bucket/athena/export-1.csv', columns: [{ name: 'x', type: 'double' }] }));
    const engine = new AthenaEngine({ lake: LAKE, awsTimeoutMs: 3_600_000 }, { ...aws.clients, s3: s3.client });
    const exported = engine.exportToFile('SELECT 1 AS x', [], 'csv', `${makeTempDir('stedi-export-')}/out.csv`, { signal: caller.signal });
    await expect(exported).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(s3.calls).toEqual(['GET /results-bucket/athena/export-1.csv']);
    s3.client.destroy();
  });

  it.each([
    ['stalls half way, once no byte came for', 'stalled-body'],
    ['never answers, at', 'silent'],
  ] as const)('fails an export whose result file %s the call’s time limit as AWS out of reach', async (_how, behaviour) => {
    const s3 = s3Over(behaviour);
    const aws = fakeAws(() => ({ outputLocation: 's3://results-bucket/athena/export-1.csv', columns: [{ name: 'x', type: 'double' }] }));
    const engine = new AthenaEngine({ lake: LAKE, awsTimeoutMs: 50 }, { ...aws.clients, s3: s3.client });
    const exported = engine.exportToFile('SELECT 1 AS x', [], 'csv', `${makeTempDir('stedi-export-')}/out.csv`);
    await expect(exported).rejects.toBeInstanceOf(EngineUnreachableError);
    await expect(exported).rejects.toThrow("cannot read the query's result file s3://results-bucket/athena/export-1.csv (TimeoutError: AWS did not answer within 50 ms");
    s3.client.destroy();
  });

  it('abandons an export whose result file stalls half way when the caller aborts', async () => {
    const caller = new AbortController();
    const s3 = s3Over('stalled-body', () => caller.abort(new Error('the client went away')));
    const aws = fakeAws(() => ({ outputLocation: 's3://results-bucket/athena/export-1.csv', columns: [{ name: 'x', type: 'double' }] }));
    const engine = new AthenaEngine({ lake: LAKE, awsTimeoutMs: 3_600_000 }, { ...aws.clients, s3: s3.client });
    const exported = engine.exportToFile('SELECT 1 AS x', [], 'csv', `${makeTempDir('stedi-export-')}/out.csv`, { signal: caller.signal });
    await expect(exported).rejects.toBeInstanceOf(QueryTimeoutError);
    s3.client.destroy();
  });
});
