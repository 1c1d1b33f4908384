import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { ADMIN_KEY, ANALYST_KEY } from './http-app';

/**
 * Whether a heavy request lets another client in (page-turns.ts, edge-turns.ts): its engine reads are held, then
 * handed over in one synchronous step just as a small query arrives. Without turns, the heavy answer was completed
 * and written before the server read the small one.
 */

/** While `on`, each read's result is held until released. */
export interface HeldReads {
  on: boolean;
  reads: Array<() => void>;
}

/** `inner` with its `method` reads (those whose SQL matches `only`) held while `held.on`. */
export function holdingEngine(inner: Engine, held: HeldReads, method: 'query' | 'queryColumns', only = /./): Engine {
  const engine = Object.create(inner) as Engine;
  const read = (inner[method] as (...args: unknown[]) => Promise<unknown>).bind(inner);
  (engine as unknown as Record<string, unknown>)[method] = async (sql: string, ...rest: unknown[]) => {
    const holding = held.on && only.test(sql);
    const result = await read(sql, ...rest);
    if (holding) await new Promise<void>((resolve) => held.reads.push(resolve));
    return result;
  };
  return engine;
}

async function socket(server: Server): Promise<Socket> {
  const s = connect((server.address() as AddressInfo).port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise((resolve) => s.once('connect', resolve));
  return s;
}

const post = (query: string, key: string): string => {
  const body = JSON.stringify({ query });
  return `POST /graphql HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

/**
 * Sends `heavyQuery` (analyst key), holds its reads until `reads` are held, sends `{ __typename }` (admin key) and
 * releases them at once. Returns which answer started first and both answers (HTTP, headers included); both 200.
 */
export async function raceSmallQuery(server: Server, held: HeldReads, heavyQuery: string, reads: number): Promise<{ order: string[]; heavyAnswer: string; smallAnswer: string }> {
  const heavy = await socket(server);
  const small = await socket(server);
  const order: string[] = [];
  const ended = (s: Socket, name: string): Promise<string> => {
    const chunks: Buffer[] = [];
    s.on('data', (chunk: Buffer) => void (chunks.length === 0 && order.push(name), chunks.push(chunk)));
    return new Promise((resolve) => s.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
  };
  const heavyText = ended(heavy, 'heavy');
  const smallText = ended(small, 'small');
  held.on = true;
  heavy.write(post(heavyQuery, ANALYST_KEY));
  while (held.reads.length < reads) await new Promise((resolve) => setTimeout(resolve, 10));
  held.on = false;
  small.write(post('{ __typename }', ADMIN_KEY));
  for (const release of held.reads.splice(0)) release();
  const [heavyAnswer, smallAnswer] = await Promise.all([heavyText, smallText]);
  expect(smallAnswer).toMatch(/^HTTP\/1\.1 200[\s\S]*"__typename":"Query"/);
  expect(heavyAnswer).toMatch(/^HTTP\/1\.1 200/);
  expect(heavyAnswer).not.toMatch(/"errors"/);
  return { order, heavyAnswer, smallAnswer };
}
