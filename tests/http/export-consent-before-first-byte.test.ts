import { afterExportWrites } from '../helpers/export-write-hook';
import { download } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A consent change read after the export's file was last checked but before its first byte goes out: the
 * status line is not sent yet, so the client is told why in a whole answer, not by a connection reset.
 */

const revocation = (name: string, file: string) => (landing: string) =>
  writeLanding(landing, 'customer', [customerRecord({ name, serial: `serial-${name}`, consentAt: null, updatedAt: 1_656_000_000_000 })], file);

describe('the export endpoint and consent changed again before its first byte', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('answers 410 STALE_CURSOR (CONSENT_CHANGED) naming consent, with no row, instead of resetting the connection', async () => {
    const landing = writeSmallLanding();
    // Each file written is overtaken by a revocation read as it is finished: alice's after the first, bob's after the second.
    const revocations = [revocation('alice', 'customer-2.json'), revocation('bob', 'customer-3.json')];
    const revokingOnEachWrite = afterExportWrites(async (write) => {
      const revoke = revocations[write - 1];
      if (!revoke) return;
      revoke(landing);
      await t.lake.services.consent.refresh();
    });
    t = await buildTestApp({ landing, wrapEngine: revokingOnEachWrite });
    const res = await download(t.server, '?format=csv', ANALYST_KEY);
    expect(res.status).toBe(410);
    expect(res.headers['cache-control']).toBe('no-store');
    const error = JSON.parse(res.body.toString('utf8')).errors[0];
    expect(error.extensions).toEqual({ code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' });
    expect(error.message).toMatch(/consent/);
    expect(res.body.toString('utf8')).not.toMatch(/serial-/);
    // Asked again, it is whole, without either (carol never consented: nobody is left).
    const again = await download(t.server, '?format=csv', ANALYST_KEY);
    expect(again.status).toBe(200);
    expect(again.headers['x-row-count']).toBe('0');
    expect(again.body.toString('utf8')).not.toMatch(/serial-(alice|bob)/);
  });
});
