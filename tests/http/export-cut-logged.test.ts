import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsentUnavailableError } from '../../src/consent/consent-unavailable';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { loggedLines } from '../helpers/log-lines';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Once an export's status line is out, a failure can only cut its body short: the client sees fewer bytes than
 * Content-Length, so the log is the one place that says why.
 */

describe('an export that fails after its first bytes were sent', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('logs an export cut with the failure\'s code, and the client gets fewer bytes than it was promised', async () => {
    const { logger, lines } = loggedLines();
    // 400 consenting customers of 100 readings: a CSV export of about 1.8 MB, more than the first 1 MiB sent unguarded.
    t = await buildTestApp({ landing: writeManyCustomersLanding(500, 100).landing, logger });
    const consent = t.lake.services.consent;
    const snapshot = consent.snapshot.bind(consent);
    let asked = 0;
    // The export's own checks (its query, its file) pass; the guard's first check of the bytes after the first MiB fails.
    consent.snapshot = async () => {
      asked += 1;
      if (asked > 2) throw new ConsentUnavailableError(new Error('the customer landing folder went away'));
      return snapshot();
    };
    const { status, promised, received } = await new Promise<{ status?: number; promised: number; received: number }>((resolve) => {
      const { port } = t.server.address() as AddressInfo;
      const req = get({ host: '127.0.0.1', port, path: '/export/machine_learning_curated?format=csv', headers: { authorization: `Bearer ${ANALYST_KEY}` } }, (res) => {
        let received = 0;
        const done = (): void => resolve({ status: res.statusCode, promised: Number(res.headers['content-length']), received });
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.on('error', () => resolve({ promised: Number.NaN, received: 0 }));
    });
    expect(status).toBe(200);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(promised);
    expect(asked).toBeGreaterThan(2);
    // The client may see the connection end before the server has logged why (Node 24 closes it first).
    const cutLine = (): { msg: string } | undefined => lines.map((line) => JSON.parse(line)).find((entry) => /^export cut/.test(entry.msg));
    for (let i = 0; i < 100 && !cutLine(); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const cut = cutLine();
    expect(cut).toMatchObject({ code: 'CONSENT_UNAVAILABLE', msg: 'export cut: it failed after its first bytes were sent' });
  });

  it('logs an export whose client hangs up after its first bytes as cancelled by the client, not as a failure', async () => {
    const { logger, lines } = loggedLines();
    const other = await buildTestApp({ landing: writeManyCustomersLanding(500, 100).landing, logger });
    const consent = other.lake.services.consent;
    const snapshot = consent.snapshot.bind(consent);
    let hungUp!: () => void;
    const hangUp = new Promise<void>((resolve) => (hungUp = resolve));
    let asked = 0;
    // The guard's check after the first MiB waits for the hang-up: the export is mid-send, whatever the socket buffers hold.
    consent.snapshot = async () => {
      asked += 1;
      if (asked > 2) await hangUp;
      return snapshot();
    };
    try {
      await new Promise<void>((resolve) => {
        const { port } = other.server.address() as AddressInfo;
        const req = get({ host: '127.0.0.1', port, path: '/export/machine_learning_curated?format=csv', headers: { authorization: `Bearer ${ANALYST_KEY}` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            setTimeout(hungUp, 50);
            resolve();
          });
        });
        req.on('error', () => undefined);
      });
      const ended = (): Array<{ msg: string; level: number }> => lines.map((line) => JSON.parse(line)).filter((entry) => /^export (cut|cancelled|sent|failed)/.test(entry.msg));
      for (let i = 0; i < 100 && ended().length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ended()).toMatchObject([{ msg: 'export cancelled: the client went away', level: 30 }]);
    } finally {
      await other.close();
    }
  });

  /** An export of 400 consenting customers whose consent checks after the first MiB go to `check`; its log's ending lines. */
  async function exportEndings(check: () => Promise<void>, exportStallMs?: number): Promise<Array<{ msg: string; level: number }>> {
    const { logger, lines } = loggedLines();
    const app = await buildTestApp({ landing: writeManyCustomersLanding(500, 100).landing, logger, exportStallMs });
    const consent = app.lake.services.consent;
    const snapshot = consent.snapshot.bind(consent);
    let asked = 0;
    consent.snapshot = async () => {
      asked += 1;
      if (asked > 2) await check();
      return snapshot();
    };
    try {
      await new Promise<void>((resolve) => {
        const { port } = app.server.address() as AddressInfo;
        const req = get({ host: '127.0.0.1', port, path: '/export/machine_learning_curated?format=csv', headers: { authorization: `Bearer ${ANALYST_KEY}` } }, (res) => {
          res.resume();
          res.on('close', resolve);
          res.on('error', resolve);
        });
        req.on('error', () => resolve());
      });
      const ended = (): Array<{ msg: string; level: number }> => lines.map((line) => JSON.parse(line)).filter((entry) => /^export (cut|cancelled|sent|failed)/.test(entry.msg));
      for (let i = 0; i < 100 && ended().length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      // A second line would come at once (the response's close and the pipeline's end are the same turn or the next).
      await new Promise((resolve) => setTimeout(resolve, 200));
      return ended();
    } finally {
      await app.close();
    }
  }

  it('logs one line for an export cut at the stall limit, not also a client that went away', async () => {
    // The guard's check after the first MiB waits past the stall limit: no byte moves, as for a client that reads nothing.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const endings = await exportEndings(() => held, 300);
    release();
    expect(endings).toMatchObject([{ msg: 'export cut: the client read nothing for the stall limit' }]);
  });

  it('logs a failure of ours after the first bytes as a failure (error), not as the client going away', async () => {
    const endings = await exportEndings(async () => {
      throw new Error('the registry broke in a way nobody planned for');
    });
    expect(endings).toMatchObject([{ msg: 'export failed', level: 50 }]);
  });
});
