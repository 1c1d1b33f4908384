import { join } from 'node:path';
import { EngineBusyError, EngineUnavailableError } from '../../etl/engine/engine-errors';
import type { Engine } from '../../etl/engine/engine';
import type { RebuildJob } from '../../src/rebuild/rebuild-job';
import { download } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * An /export refused 503 carries Retry-After where waiting helps (urllib3's Retry and curl --retry read it; urllib3
 * retries a 503 only with it), and none where only the operator can help.
 */

/** The engine, its exportToFile failing with what `failure` gives while it is set. */
function failingExports(engine: Engine, failure: () => Error | undefined): Engine {
  return new Proxy(engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'exportToFile') return value;
      return (...args: Parameters<Engine['exportToFile']>) => {
        const error = failure();
        return error ? Promise.reject(error) : target.exportToFile(...args);
      };
    },
  });
}

describe('Retry-After on an export refused 503', () => {
  let failure: Error | undefined;
  let built: TestApp;
  let unbuilt: TestApp;
  beforeAll(async () => {
    built = await buildTestApp({ landing: writeSmallLanding(), wrapEngine: (engine) => failingExports(engine, () => failure) });
    unbuilt = await buildTestApp({ landing: writeSmallLanding(join(makeTempDir(), 'landing')), build: false });
  });
  afterEach(() => (failure = undefined));
  afterAll(async () => {
    await built.close();
    await unbuilt.close();
  });

  it.each([
    ['throttled (a few seconds)', new EngineBusyError(new Error('ThrottlingException')), '5'],
    ['failing on AWS (a few minutes)', new EngineUnavailableError('Athena answered 500', new Error('InternalServerException')), '120'],
  ])('says when to ask again while the engine is %s', async (_name, error, seconds) => {
    failure = error;
    const res = await download(built.server, '?format=csv', ANALYST_KEY);
    expect([res.status, JSON.parse(res.body.toString()).errors[0].extensions.code]).toEqual([503, 'ENGINE_BUSY']);
    expect(res.headers['retry-after']).toBe(seconds);
  });

  it('sends none before the first build while nothing builds one (only the operator can), and 30 s while one is built', async () => {
    const idle = await download(unbuilt.server, '?format=csv', ANALYST_KEY);
    expect([idle.status, JSON.parse(idle.body.toString()).errors[0].extensions.code]).toEqual([503, 'LAKE_NOT_BUILT']);
    expect(idle.headers['retry-after']).toBeUndefined();
    const current = jest.spyOn(unbuilt.lake.services.rebuilds, 'current').mockReturnValue({ id: 'job-1' } as RebuildJob);
    try {
      const building = await download(unbuilt.server, '?format=csv', ANALYST_KEY);
      expect([building.status, building.headers['retry-after']]).toEqual([503, '30']);
    } finally {
      current.mockRestore();
    }
  });

  it('sends none on answers a wait does not change (a bad parameter)', async () => {
    const res = await download(built.server, '?format=xml', ANALYST_KEY);
    expect([res.status, res.headers['retry-after']]).toEqual([400, undefined]);
  });
});
