import { type ExecutionResult, graphql } from 'graphql';
import type { Principal } from '../../src/auth/principal';
import { createContext } from '../../src/graphql/context';
import { buildGraphqlSchema } from '../../src/graphql/schema';
import type { Services } from '../../src/services';

export const ADMIN: Principal = { role: 'admin', keyId: 'test-admin' };
export const ANALYST: Principal = { role: 'analyst', keyId: 'test-analyst' };

export type GraphqlResult = ExecutionResult<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Executes a document against the schema directly (no HTTP), with a fresh per-request context. */
export async function runGraphql(services: Services, principal: Principal | null, source: string, variableValues?: Record<string, unknown>): Promise<GraphqlResult> {
  const schema = await buildGraphqlSchema();
  const result = await graphql({ schema, source, variableValues, contextValue: createContext(services, principal, 'test-request') });
  // Round-trip through JSON as a client would see it (DateTime becomes an ISO string).
  return JSON.parse(JSON.stringify(result)) as GraphqlResult;
}

/** The data of a result that must have no errors. */
export async function queryData(services: Services, principal: Principal | null, source: string, variableValues?: Record<string, unknown>): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await runGraphql(services, principal, source, variableValues);
  if (result.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

export const errorCodes = (result: GraphqlResult): unknown[] => (result.errors ?? []).map((e) => e.extensions?.code);
