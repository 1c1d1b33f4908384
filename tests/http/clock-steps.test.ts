import { connect } from 'node:net';
import { type ServedLake, serveLake } from '../helpers/served-lake';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { steppedClock } from '../helpers/stepped-clock';

const smallLake = smallLakeCopies();

describe('the server\'s connection timers when its wall clock is stepped back (NTP)', () => {
  let served: ServedLake | undefined;

  afterAll(async () => {
    await served?.stop();
  });

  it('still cuts, within seconds, the connection of a client trickling the body of a request already refused', async () => {
    const { lake, landing } = smallLake();
    const clock = steppedClock();
    served = await serveLake(['--lake', lake, '--landing', landing], { ...clock.env, STEDI_WORKERS: '1' });
    const { hostname, port } = new URL(served.url);
    const socket = connect({ host: hostname, port: Number(port) });
    let read = '';
    socket.on('data', (chunk: Buffer) => (read += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer not-a-key-0123456789\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n${' '.repeat(1024)}`);
    for (const end = Date.now() + 20_000; !/\r\n\r\n\{.*\}/s.test(read); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error(`no answer: ${read}`);
    }
    expect(read).toMatch(/^HTTP\/1\.1 401 /);
    // Stepped back an hour after the answer (the helper reads the file every 50 ms), as the client keeps sending a little.
    clock.step(-3_600_000);
    const trickle = setInterval(() => socket.writable && socket.write(' '.repeat(100)), 100);
    const cut = await Promise.race([closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
    clearInterval(trickle);
    socket.destroy();
    // The cut comes DROPPED_BODY_MS (2 s) after the answer; the wall clock made it an hour.
    expect(cut).toBe(true);
  }, 60_000);
});
