import type { AddressInfo } from 'node:net';
import { ANALYST_KEY, buildTestApp, type TestApp } from './http-app';
import { writeManyCustomersLanding } from './many-customers-landing';

/** What a raw POST to /graphql was answered. */
export interface RawAnswer {
  status: number;
  text: string;
}

/**
 * A server on a landing of three customers for the whole suite (started in beforeAll, closed in afterAll), for suites
 * that send it hand-made request bodies: `post` sends `body` as it is, with the analyst key.
 */
export function smallGraphqlServer(): { post(body: string): Promise<RawAnswer> } {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(3, 1).landing });
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());
  return {
    async post(body) {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` }, body });
      return { status: res.status, text: await res.text() };
    },
  };
}
