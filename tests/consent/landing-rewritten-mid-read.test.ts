import { closeSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { customerRecord, makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { spawnBin } from '../helpers/spawn-cli';
import { readPosition } from '../helpers/read-position';

/**
 * The consent registry of `bin/stedi.js serve` reading a customer file a writer rewrites in place meanwhile: what it
 * read is half the file, without the revocation at its end, which both the old and the new content hold. That read
 * must decide nothing: the customer stays hidden.
 */

const ANALYST_KEY = 'analystkey-0123456789abcdef';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the consent registry on a customer file rewritten while it reads it', () => {
  jest.setTimeout(120_000);

  it('keeps hiding a customer whose revocation the half it read lacks', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-consent-rewrite-');
    await buildLake(landing, lake);
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    const base = readFileSync(customers, 'utf8');
    const revocation = `${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }))}\n`;
    const server = spawnBin(['serve', '--lake', lake, '--landing', landing], {
      STEDI_WORKERS: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      STEDI_API_KEYS: `${ANALYST_KEY}:analyst`,
      STEDI_CONSENT_REFRESH_MS: '1000',
      // No erasure rebuild while the test runs: the live version keeps alice's rows, which consent alone hides.
      STEDI_ERASURE_MS: '3600000',
    });
    try {
      const [, url] = await server.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      const serials = async (): Promise<string> => {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
          body: JSON.stringify({ query: '{ customers(first: 10) { edges { node { serialNumber } } } }' }),
        });
        return res.text();
      };
      expect(await serials()).toContain('serial-alice');

      // alice revokes at the end of the file, after 100 MB of blank line (read slowly enough to be caught mid-read).
      const part = join(landing, 'customer', 'landing', '.customer-1.json.part');
      const fd = openSync(part, 'w');
      writeSync(fd, base);
      for (let k = 0; k < 25; k += 1) writeSync(fd, Buffer.alloc(4 * 1024 * 1024, 0x20));
      writeSync(fd, `\n${revocation}`);
      closeSync(fd);
      renameSync(part, customers);
      for (let k = 0; k < 100 && (await serials()).includes('serial-alice'); k += 1) await sleep(200);
      expect(await serials()).not.toContain('serial-alice');

      // A refresh is reading the blank line: the writer rewrites the file in place, shorter, the revocation kept.
      const pid = server.child.pid!;
      for (let k = 0; k < 20_000 && !(readPosition(pid, customers)! > base.length + 4096); k += 1) await sleep(1);
      server.child.kill('SIGSTOP');
      const position = readPosition(pid, customers);
      expect(position).toBeGreaterThan(base.length + revocation.length);
      expect(position).toBeLessThan(statSync(customers).size);
      writeFileSync(customers, `${base}${revocation}`);
      server.child.kill('SIGCONT');

      // Through the refresh that read half the file and the ones after it: alice never comes back.
      const answers: string[] = [];
      for (const started = Date.now(); Date.now() - started < 3_000; ) {
        answers.push(await serials());
        await sleep(50);
      }
      expect(answers.filter((a) => a.includes('serial-alice'))).toEqual([]);
      expect(answers[answers.length - 1]).toContain('serial-bob');
      // The refresh that caught the rewrite is a writer at work, not a fault: a warning naming the file, no stack.
      const logs = `${server.stdout()}${server.stderr()}`.split('\n').filter((line) => line.includes('while it was read'));
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) {
        const entry = JSON.parse(line) as { level: number; msg: string; reason: string; err?: unknown };
        expect(entry).toMatchObject({ level: 40, msg: expect.stringContaining('consent refresh skipped') });
        expect(entry.reason).toContain('customer-1.json');
        expect(entry.err).toBeUndefined();
      }
    } finally {
      server.child.kill('SIGCONT');
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
});
