import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { coercedVariables } from '../../src/http/coerced-variables';

/** A request's variables coerced once (coerced-variables.ts) for the cost check and the executor. */

const schema = buildSchema('type Query { page(first: Int!): [String] }');
const operationOf = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;

describe('variables coerced once a request', () => {
  it('gives the second caller the first coercion of the same variables and operation', () => {
    const operation = operationOf('query P($first: Int!) { page(first: $first) }');
    const variables = { first: 10 };
    const first = coercedVariables(schema, operation, variables, { maxErrors: 1 });
    const second = coercedVariables(schema, operation, variables);
    expect(first).toEqual({ coerced: { first: 10 } });
    expect(second.coerced).toBe(first.coerced);
    // Another operation, or other variables of the same values, are coerced for themselves.
    expect(coercedVariables(schema, operationOf('query P($first: Int!) { page(first: $first) }'), variables).coerced).not.toBe(first.coerced);
    expect(coercedVariables(schema, operation, { first: 10 }).coerced).not.toBe(first.coerced);
  });

  it('coerces variables that fail again, with every error', () => {
    const operation = operationOf('query P($a: Int!, $b: Int!) { x: page(first: $a) y: page(first: $b) }');
    const variables = { a: 'one', b: 'two' };
    const bounded = coercedVariables(schema, operation, variables, { maxErrors: 1 }).errors?.map((e) => e.message) ?? [];
    expect(bounded.some((message) => message.includes('$b'))).toBe(false);
    const all = coercedVariables(schema, operation, variables).errors?.map((e) => e.message) ?? [];
    expect(all.filter((message) => /^Variable "\$[ab]"/.test(message))).toHaveLength(2);
  });
});
