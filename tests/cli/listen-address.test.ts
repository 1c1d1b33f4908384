import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ADMIN_KEY } from '../helpers/http-app';
import { spawnBin } from '../helpers/spawn-cli';
import { smallLakeCopies } from '../helpers/small-lake-copies';

const smallLake = smallLakeCopies();

/** An IPv4 address of this machine other than loopback (a LAN address), if it has one. */
const lanAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** Whether a TCP connection to `host`:`port` is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });

/** `stedi serve` on a free port with `env`; its JSON `listening` line (the primary's, in a cluster) and port. */
async function served(env: Record<string, string>) {
  const { lake } = smallLake();
  const proc = spawnBin(['serve', '--lake', lake, '--port', '0'], { LOG_LEVEL: 'info', STEDI_API_KEYS: `${ADMIN_KEY}:admin`, ...env });
  const [line] = await proc.waitFor(/^\{.*"msg":"listening".*$/m, 60_000);
  return { proc, listening: JSON.parse(line) as { port: number; host: string; reach: string } };
}

describe('where stedi serve listens', () => {
  it('listens on 127.0.0.1 when HOST is unset, saying this machine only: a laptop does not serve its lake to the LAN', async () => {
    const { proc, listening } = await served({ STEDI_WORKERS: '1' });
    try {
      expect(listening).toMatchObject({ host: '127.0.0.1', reach: 'this machine only (set HOST=0.0.0.0 to serve other machines)' });
      expect(await accepts('127.0.0.1', listening.port)).toBe(true);
      if (lanAddress) expect(await accepts(lanAddress, listening.port)).toBe(false);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('listens on every interface with HOST=0.0.0.0 (the Docker image), a cluster primary saying so', async () => {
    const { proc, listening } = await served({ STEDI_WORKERS: '2', HOST: '0.0.0.0' });
    try {
      expect(listening).toMatchObject({ host: '0.0.0.0', reach: 'every network interface: other machines can reach it (HOST=127.0.0.1 for this machine only)' });
      if (lanAddress) expect(await accepts(lanAddress, listening.port)).toBe(true);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
