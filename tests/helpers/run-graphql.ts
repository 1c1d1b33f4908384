import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionResult } from 'graphql';
import request from 'supertest';
import type { Principal } from '../../src/auth/principal';
import { createApp } from '../../src/http/app';
import type { Services } from '../../src/services';
import { ADMIN_KEY, ANALYST_KEY, sharedSchema, testApiKeys } from './http-app';

export const ADMIN: Principal = { role: 'admin', keyId: 'test-admin' };
export const ANALYST: Principal = { role: 'analyst', keyId: 'test-analyst' };

export type GraphqlResult = ExecutionResult<Record<string, any>> & { status: number }; // eslint-disable-line @typescript-eslint/no-explicit-any

// One production HTTP app per lake's services, listening on 127.0.0.1; unref'd, so it never keeps a test run alive.
const servers = new WeakMap<Services, Promise<Server>>();

function serverFor(services: Services): Promise<Server> {
  let server = servers.get(services);
  if (!server) {
    server = (async () => {
      // Every document that graphql-jit would ever compile is compiled on its first use here, so the suites
      // exercise compiled execution; the hostile-request tests run the default (graphql-js until a document repeats).
      const config = { ...services.config, limits: { ...services.config.limits, jitMinUses: 1 } };
      const app = await createApp({ services: { ...services, config }, apiKeys: testApiKeys(), schema: await sharedSchema() });
      const listening = createServer({ keepAlive: false }, app.app);
      await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
      listening.unref();
      return listening;
    })();
    servers.set(services, server);
  }
  return server;
}

/**
 * Posts a document to /graphql of the production HTTP app (auth, limits,
 * Apollo, the executor the server uses, formatError) with the key of
 * `principal` (none when null), and returns the JSON body a client reads,
 * plus the HTTP status.
 */
export async function runGraphql(services: Services, principal: Principal | null, source: string, variables?: Record<string, unknown>): Promise<GraphqlResult> {
  const url = await appUrl(services);
  const req = request(url).post('/graphql').set('content-type', 'application/json').set('connection', 'close').set('x-request-id', 'test-request');
  if (principal) req.set('authorization', `Bearer ${principal.role === 'admin' ? ADMIN_KEY : ANALYST_KEY}`);
  const res = await req.send({ query: source, variables });
  return { ...(res.body as ExecutionResult<Record<string, any>>), status: res.status }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The base URL of the production HTTP app serving `services` (the one runGraphql posts to), for its other routes. */
export async function appUrl(services: Services): Promise<string> {
  const server = await serverFor(services);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The data of a result that must have no errors. */
export async function queryData(services: Services, principal: Principal | null, source: string, variables?: Record<string, unknown>): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await runGraphql(services, principal, source, variables);
  if (result.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

export const errorCodes = (result: GraphqlResult): unknown[] => (result.errors ?? []).map((e) => e.extensions?.code);
