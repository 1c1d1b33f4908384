import { GraphQLSchema, parse, validate, type ValidationRule } from 'graphql';
import { loadConfig } from '../../src/config';
import { estimateCost } from '../../src/http/cost-estimate';
import { failClosed } from '../../src/http/limits';
import { sharedSchema } from '../helpers/http-app';

/** The limits fail closed: whatever stops a check refuses the request. */

const limits = loadConfig({}, {}).limits;
const DOC = parse('{ lake { liveVersion } customers(first: 2) { totalCount } }');

describe('request limits', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await sharedSchema();
  });

  it.each([
    ['a per-kind handler', (() => ({ Field() { throw new RangeError('Maximum call stack size exceeded'); } })) as ValidationRule],
    ['an enter/leave pair', (() => ({ OperationDefinition: { enter() { throw new Error('bug'); } } })) as ValidationRule],
    ['a generic enter', (() => ({ enter() { throw new Error('bug'); } })) as ValidationRule],
  ])('refuses a document when a limit rule throws in %s', (_where, rule) => {
    const errors = validate(schema, DOC, [failClosed(rule)]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.extensions.code)).toContain('BAD_USER_INPUT');
  });

  it('keeps a rule that passes silent', () => {
    expect(validate(schema, DOC, [failClosed(() => ({ Field() {} }))])).toEqual([]);
  });

  it('prices each totalCount as a scan, wherever it is', () => {
    const estimate = estimateCost(limits, { schema, query: DOC, variables: {} });
    expect(estimate.scans).toBe(1);
    expect(estimate.cost).toBeGreaterThanOrEqual(limits.totalCountCost);
    const nested = estimateCost(limits, { schema, query: parse('{ customers(first: 100) { edges { node { stepTrainerReadings(first: 1) { totalCount } } } } }'), variables: {} });
    expect(nested.scans).toBe(1); // one grouped count for the whole level, not one per customer
  });

  it('refuses bad variables with graphql-js\'s message, and any other estimating error as a limit', () => {
    const query = parse('query($n: Int) { customers(first: $n) { totalCount } }');
    expect(() => estimateCost(limits, { schema, query, variables: { n: 'ten' } })).toThrow(expect.objectContaining({ message: expect.stringMatching(/Variable "\$n" got invalid value "ten"/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    expect(() => estimateCost(limits, { schema, query: DOC, variables: {}, estimators: undefined, operationName: undefined, maxQueryNodes: 2 } as never)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/too many fields/), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    const broken = new Proxy(schema, { get: (target, p) => (p === 'getQueryType' ? () => { throw new RangeError('Maximum call stack size exceeded'); } : Reflect.get(target, p)) });
    expect(() => estimateCost(limits, { schema: broken, query: DOC, variables: {} })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});
