import type { AddressInfo } from 'node:net';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * An export is written anew for each request (the live version, consent as it is then), so no byte range of an
 * earlier answer can be promised: a resuming downloader gets the whole file, 200, told so by Accept-Ranges: none.
 */

const PATH = '/export/machine_learning_curated?format=csv';

describe('the export endpoint and a downloader that resumes', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}${PATH}`;
  });
  afterAll(() => t.close());
  const ask = (headers: Record<string, string> = {}, method = 'GET'): Promise<Response> => fetch(url, { method, headers: { authorization: `Bearer ${ANALYST_KEY}`, ...headers } });

  it('says Accept-Ranges: none on a GET and a HEAD, before any download is resumed', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await ask({}, method);
      expect(res.status).toBe(200);
      expect(res.headers.get('accept-ranges')).toBe('none');
      await res.arrayBuffer();
    }
  });

  it.each([
    ['a Range from an offset (curl -C -, wget -c)', { range: 'bytes=10-' }],
    ['a Range with an If-Range (a browser resuming)', { range: 'bytes=10-', 'if-range': '"x"' }],
    ['several ranges', { range: 'bytes=0-1,5-9' }],
    ['a Range past the end', { range: 'bytes=100000000-' }],
  ])('answers %s with the whole file, 200, never a part', async (_what, headers) => {
    const whole = Buffer.from(await (await ask()).arrayBuffer());
    const res = await ask(headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('none');
    expect(res.headers.get('content-range')).toBeNull();
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    expect(body.equals(whole)).toBe(true);
  });
});
