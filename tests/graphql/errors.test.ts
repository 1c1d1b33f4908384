import { Writable } from 'node:stream';
import pino from 'pino';
import { ArgumentValidationError, AuthenticationError, AuthorizationError } from 'type-graphql';
import type { Engine } from '../../etl/engine/engine';
import { EngineBusyError, EngineUnavailableError, LakeNotBuiltError, ParameterError, QueryTimeoutError, StaleVersionError } from '../../etl/engine/engine-errors';
import { StediError } from '../../src/errors';
import { toStediError } from '../../src/graphql/error-mapping';
import { machineLearningExportQuery } from '../../src/graphql/machine-learning-export';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ANALYST, errorCodes, runGraphql } from '../helpers/run-graphql';

function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('errors reach clients as StediErrors', () => {
  let lake: TestLake;
  afterEach(() => lake?.close());

  it('reports an engine failure as INTERNAL_SERVER_ERROR without SQL or stack, and logs it with context', async () => {
    const { logger, lines } = capturingLogger();
    lake = await buildTestLake({
      landing: writeSmallLanding(),
      logger,
      wrapEngine: (engine: Engine) => {
        const failing = Object.create(engine) as Engine;
        failing.query = async (sql) => {
          if (sql.includes('step_trainer_trusted')) throw new Error(`Binder Error: something broke in ${sql}`);
          return engine.query(sql);
        };
        return failing;
      },
    });
    const result = await runGraphql(lake.services, ANALYST, '{ stepTrainerReadings { totalCount edges { cursor } } }');
    expect(errorCodes(result)).toEqual(['INTERNAL_SERVER_ERROR']);
    const error = result.errors![0];
    expect(error.message).toBe('internal error (request id test-request); the server log has the details');
    expect(JSON.stringify(result)).not.toMatch(/SELECT|step_trainer_trusted|Binder|at /);
    const logged = lines.find((l) => l.msg === 'resolver failed');
    expect(logged).toMatchObject({ requestId: 'test-request', field: 'Query.stepTrainerReadings' });
    expect(JSON.stringify(logged)).toContain('Binder Error');
  });

  it('reports a query that ran too long as QUERY_TIMEOUT, also from a lazily counted totalCount', async () => {
    lake = await buildTestLake({
      landing: writeSmallLanding(),
      wrapEngine: (engine: Engine) => {
        const slow = Object.create(engine) as Engine;
        slow.query = async (sql, params, options) => {
          if (sql.includes('count(*)')) throw new QueryTimeoutError(options?.timeoutMs ?? 0);
          return engine.query(sql, params, options);
        };
        return slow;
      },
      config: { queryTimeoutMs: 1234 },
    });
    const result = await runGraphql(lake.services, ANALYST, '{ accelerometerReadings { totalCount } }');
    expect(errorCodes(result)).toEqual(['QUERY_TIMEOUT']);
    expect(result.errors![0].message).toMatch(/longer than 1234 ms/);
  });

  it('says to run `stedi build` when the lake has never been built', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding(), build: false });
    for (const query of ['{ customers { totalCount } }', '{ lake { liveVersion } }', '{ customer(serialNumber: "x") { serialNumber } }']) {
      const result = await runGraphql(lake.services, ANALYST, query);
      expect(errorCodes(result)).toEqual(['LAKE_NOT_BUILT']);
      expect(result.errors![0].message).toMatch(/run `stedi build`/);
    }
    await expect(machineLearningExportQuery(lake.services, {})).rejects.toMatchObject({ code: 'LAKE_NOT_BUILT' });
  });

  it.each([
    [new AuthenticationError(), 'UNAUTHENTICATED'],
    [new AuthorizationError(), 'FORBIDDEN'],
    [new ArgumentValidationError([{ property: 'x', constraints: { length: 'x must be short' }, children: [] }]), 'BAD_USER_INPUT'],
    [new StaleVersionError('20260101t000000000z_abcd'), 'STALE_CURSOR'],
    [new LakeNotBuiltError('/lake'), 'LAKE_NOT_BUILT'],
    [new QueryTimeoutError(5), 'QUERY_TIMEOUT'],
    [new EngineBusyError(new Error('Rate exceeded')), 'ENGINE_BUSY'],
    [new ParameterError('a query parameter must be a finite number; received NaN'), 'BAD_USER_INPUT'],
    [new TypeError('boom'), 'INTERNAL_SERVER_ERROR'],
  ])('maps %p to %s', (error, code) => {
    const mapped = toStediError(error, pino({ level: 'silent' }));
    expect(mapped).toBeInstanceOf(StediError);
    expect(mapped.extensions.code).toBe(code);
  });
});

describe('logging of failed batches', () => {
  it('logs AWS failing on its side once, at warn with the service, error and request id, and answers ENGINE_BUSY saying to retry', () => {
    const { logger, lines } = capturingLogger();
    const reason = "cannot run the Athena query: Athena answered InternalServerException, a failure on AWS's side (HTTP 500, request id REQ-1), not in the request, the lake or the set-up: retry in a few minutes";
    const failure = new EngineUnavailableError(reason, new Error('We encountered an internal error'));
    for (const field of ['Query.customers', 'Query.customer']) {
      const mapped = toStediError(failure, logger, { requestId: 'r-1', field });
      expect(mapped.extensions.code).toBe('ENGINE_BUSY');
      expect(mapped.message).toMatch(/failed on AWS's side; nothing is wrong with the request: retry in a few minutes$/);
    }
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'AWS failed on its side; the request was answered ENGINE_BUSY (503)', reason, requestId: 'r-1' })]);
  });

  it('logs an engine failure shared by every parent of a nested level once', async () => {
    const { logger, lines } = capturingLogger();
    const lake = await buildTestLake({
      landing: writeManyCustomersLanding(10, 2).landing,
      logger,
      wrapEngine: (engine: Engine) => {
        const failing = Object.create(engine) as Engine;
        failing.query = async (sql, params, options) => {
          if (sql.includes('rank_in_parent')) throw new Error('disk gone');
          return engine.query(sql, params, options);
        };
        return failing;
      },
    });
    try {
      const result = await runGraphql(lake.services, ANALYST, '{ customers { edges { node { stepTrainerReadings { totalCount } } } } }');
      expect(errorCodes(result)[0]).toBe('INTERNAL_SERVER_ERROR');
      expect(lines.filter((l) => l.msg === 'resolver failed')).toHaveLength(1);
    } finally {
      await lake.close();
    }
  });
});
