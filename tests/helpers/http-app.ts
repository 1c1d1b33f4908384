import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import request from 'supertest';
import { ApiKeys } from '../../src/auth/api-keys';
import { buildGraphqlSchema } from '../../src/graphql/schema';
import { createApp, type StediApp } from '../../src/http/app';
import { createHttpServer } from '../../src/http/http-server';
import { ServerMetrics } from '../../src/http/metrics';
import { buildTestLake, type TestLake, type TestLakeOptions } from './test-lake';

/** The keys every HTTP test app accepts. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const ANALYST_KEY = 'test-analyst-key-0123456789abcdef';
export const testApiKeys = (): ApiKeys =>
  new ApiKeys([
    { key: ADMIN_KEY, role: 'admin' },
    { key: ANALYST_KEY, role: 'analyst' },
  ]);

let schema: Promise<GraphQLSchema> | undefined;
/** The schema is the same for every app: build it once per test file. */
export const sharedSchema = (): Promise<GraphQLSchema> => (schema ??= buildGraphqlSchema());

export interface TestApp {
  lake: TestLake;
  app: StediApp;
  /** The app listening on 127.0.0.1 (supertest would otherwise listen on every interface). */
  server: Server;
  /** Posts a GraphQL document with the given key (none when null). */
  graphql(query: string, key: string | null, variables?: Record<string, unknown>, operationName?: string): request.Test;
  close(): Promise<void>;
}

/** The HTTP app over a lake built from `landing`, its engine instrumented like the real server's. */
export async function buildTestApp(
  options: TestLakeOptions & { exportDir?: string; exportStallMs?: number; answerStallMs?: number; onDataRequest?: () => void; apiKeys?: ApiKeys },
): Promise<TestApp> {
  const metrics = new ServerMetrics();
  const lake = await buildTestLake({ ...options, wrapEngine: (engine) => metrics.instrumentEngine(options.wrapEngine ? options.wrapEngine(engine) : engine) });
  const app = await createApp({ services: lake.services, apiKeys: options.apiKeys ?? testApiKeys(), metrics, schema: await sharedSchema(), exportDir: options.exportDir, exportStallMs: options.exportStallMs, answerStallMs: options.answerStallMs, onDataRequest: options.onDataRequest });
  const server = createHttpServer(app.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    lake,
    app,
    server,
    graphql(query, key, variables, operationName) {
      const req = request(server).post('/graphql').set('content-type', 'application/json');
      if (key !== null) req.set('authorization', `Bearer ${key}`);
      return req.send({ query, variables, operationName });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.stop();
      await lake.close();
    },
  };
}
