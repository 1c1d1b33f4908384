import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { processStart } from '../../etl/dead-process-folders';
import { buildLake } from '../helpers/etl-lake';
import { ADMIN_KEY, ANALYST_KEY } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { type ServedLake, serveLake, untilReady } from '../helpers/served-lake';
import { bodySentLater } from '../helpers/body-sent-later';

/**
 * `bin/stedi.js serve` with two workers, as real processes: every request on
 * a new connection, so the cluster hands them to both workers in turn.
 */

type Body = { data?: any; errors?: Array<{ message: string }> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One request on a connection of its own (no keep-alive), so consecutive requests reach different workers. */
function fresh(url: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, { method: data ? 'POST' : 'GET', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A query whose client half-closes its connection once it has sent it (socket.end(), as `nc -N` does): the answer's status and body. */
function halfClosed(url: string, query: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true }, () => {
      socket.end(`POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    let read = '';
    socket.on('data', (chunk: Buffer) => (read += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      // A request still running after a second gets the client-gone probe (102 Processing, client-gone.ts) first, as curl reads it.
      let answer = read;
      while (/^HTTP\/1\.1 1\d\d /.test(answer)) answer = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0), text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const gql = async (url: string, query: string, key = ADMIN_KEY): Promise<Body> => JSON.parse((await fresh(url, '/graphql', { query }, key)).text) as Body;

/** The pids of the server's workers: the primary's child processes. */
const workerPids = (served: ServedLake): number[] =>
  readFileSync(`/proc/${served.process.child.pid}/task/${served.process.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const liveOf = async (url: string): Promise<string> => (await gql(url, '{ lake { liveVersion } }')).data.lake.liveVersion as string;

describe('stedi serve on two workers', () => {
  // The small lake is built once; each test serves a copy of it and of its landing (tests append to landing, rebuild, erase).
  let template: { landing: string; lake: string } | undefined;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-cluster-lake-');
    await buildLake(landing, lake);
    template = { landing, lake };
  });
  const smallLake = (): { landing: string; lake: string } => {
    const landing = makeTempDir('stedi-cluster-landing-');
    const lake = makeTempDir('stedi-cluster-lake-');
    cpSync(template!.landing, landing, { recursive: true });
    cpSync(template!.lake, lake, { recursive: true });
    return { landing, lake };
  };
  let served: ServedLake | undefined;
  afterEach(async () => {
    if (served && served.process.child.exitCode === null) {
      const pids = workerPids(served);
      served.process.child.kill('SIGKILL');
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    }
    served = undefined;
  });

  it('runs one rebuild for every worker that asks, switches every worker to the new version together, hides a revocation in all of them and sums the metrics', async () => {
    const { landing, lake } = smallLake();
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '2', LOG_LEVEL: 'info', STEDI_CONSENT_REFRESH_MS: '300', STEDI_ERASURE_MS: '60000', STEDI_SPARE_WORKER_IDLE_MS: '0' });
    const { url } = served;
    const first = await untilReady(served);
    expect(workerPids(served)).toHaveLength(2);
    // Each worker runs with the young generation capped (STEDI_WORKER_SEMI_SPACE_MB, default 8): most of an idle worker's heap otherwise.
    for (const pid of workerPids(served)) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=8');
    // ... and glibc's malloc trim threshold fixed (STEDI_WORKER_MALLOC_TRIM_KB, default 128), so freed memory goes back to the system.
    for (const pid of workerPids(served)) expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_TRIM_THRESHOLD_=131072');
    // The primary serves nothing: DuckDB (like GraphQL) loads in the workers only.
    expect(readFileSync(`/proc/${served.process.child.pid}/maps`, 'utf8')).not.toContain('libduckdb');
    for (const pid of workerPids(served)) expect(readFileSync(`/proc/${pid}/maps`, 'utf8')).toContain('libduckdb');

    // One worker reads a page of the live version: the rebuild reads it again on the new version in both workers.
    const customersOf = async (): Promise<string[]> =>
      ((await gql(url, '{ customers(first: 10) { edges { node { serialNumber } } } }', ANALYST_KEY)).data.customers.edges as Array<{ node: { serialNumber: string } }>).map((e) => e.node.serialNumber);
    expect(await customersOf()).toEqual(['serial-alice', 'serial-bob']);

    // Two admins at once, on two connections (two workers): one job.
    const [a, b] = await Promise.all([gql(url, 'mutation { rebuildZones { id } }'), gql(url, 'mutation { rebuildZones { id } }')]);
    expect(a.data.rebuildZones.id).toBe(b.data.rebuildZones.id);
    const id = a.data.rebuildZones.id as string;

    // While it runs and after, one request after another on new connections never sees the old version again once it saw the new one.
    const seen: string[] = [];
    let state = 'QUEUED';
    while (state === 'QUEUED' || state === 'RUNNING') {
      seen.push(await liveOf(url));
      state = (await gql(url, `{ rebuildJob(id: "${id}") { state } }`)).data.rebuildJob.state as string;
    }
    expect(state).toBe('SUCCEEDED');
    for (let i = 0; i < 6; i += 1) seen.push(await liveOf(url));
    const second = seen[seen.length - 1]!;
    expect(second).not.toBe(first);
    expect(seen.slice(seen.indexOf(second)).every((v) => v === second)).toBe(true);
    // Every worker knows the job and its progress.
    for (let i = 0; i < 4; i += 1) {
      const { data } = await gql(url, '{ rebuildJobs { id state completedSteps totalSteps } }');
      expect(data.rebuildJobs).toEqual([{ id, state: 'SUCCEEDED', completedSteps: data.rebuildJobs[0].totalSteps, totalSteps: data.rebuildJobs[0].totalSteps }]);
    }

    // alice withdraws in customer landing: every worker hides her at its next refresh (it logs the revocation as it takes
    // the snapshot that hides her), waited for in both workers' logs rather than for two refresh intervals.
    expect(await customersOf()).toContain('serial-alice');
    appendFileSync(join(landing, 'customer', 'landing', 'customer-1.json'), `${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_700_000_000_000 }))}\n`);
    for (const worker of [1, 2]) await served.process.waitFor(new RegExp(`"worker":${worker},"component":"consent","revocationsSeen":1,`), 5_000);
    for (let i = 0; i < 6; i += 1) expect(await customersOf()).toEqual(['serial-bob']);

    // /metrics on any worker is the sum over both.
    const before = await fresh(url, '/metrics');
    const requestsOf = (text: string): number =>
      [...text.matchAll(/^stedi_http_requests_total\{route="\/graphql",method="POST",status="200"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    const counted = requestsOf(before.text);
    for (let i = 0; i < 4; i += 1) await liveOf(url);
    await until('the metrics count the four requests', async () => requestsOf((await fresh(url, '/metrics')).text) === counted + 4, 5_000);
    expect(before.text).toMatch(/^stedi_rebuild_running 0$/m);
    expect(before.text).toMatch(/^stedi_rebuild_jobs\{state="SUCCEEDED"\} 1$/m);
    // A process's gauges are each worker's, labelled: summed, two workers' open-file limits read as one process's double.
    const limit = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m)![1]);
    expect([...before.text.matchAll(/^stedi_process_max_fds\{worker="(\d+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]).sort()).toEqual([['1', limit], ['2', limit]]);
    expect(before.text.match(/^stedi_process_resident_memory_bytes\{worker="\d+"\} \d+$/gm)).toHaveLength(2);
    expect(before.text).not.toMatch(/^stedi_process_resident_memory_bytes \d/m);

    await served.stop();
    const logs = served.process.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { worker?: unknown; msg?: string; warmed?: number; kept?: number });
    expect(new Set(logs.filter((l) => l.msg === 'request').map((l) => l.worker))).toEqual(new Set([1, 2]));
    const warmed = logs.filter((l) => l.msg === 'recent reads read again on the version about to be published');
    expect(warmed.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(warmed.every((l) => (l.warmed ?? 0) > 0)).toBe(true);
    // The page one worker answered before the rebuild was made again on the new version by both, before it succeeded.
    const replayed = logs.filter((l) => l.msg === 'recent answers made again on the new version');
    expect(replayed.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(replayed.every((l) => (l.kept ?? 0) > 0)).toBe(true);
  }, 90_000);

  it('erases a withdrawn customer with one rebuild however many workers see it, within STEDI_ERASURE_MS', async () => {
    // Long enough for a rebuild process to start and build at its low priority on a busy 2-core machine (CI runs two
    // suites at once; the rebuild starts a third into the bound).
    const ERASURE_MS = 15_000;
    const { landing, lake } = smallLake();
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '2', STEDI_CONSENT_REFRESH_MS: '200', STEDI_ERASURE_MS: String(ERASURE_MS), STEDI_SPARE_WORKER_IDLE_MS: '0' });
    const { url } = served;
    const first = await untilReady(served);
    appendFileSync(join(landing, 'customer', 'landing', 'customer-1.json'), `${JSON.stringify(customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_700_000_000_000 }))}\n`);
    const seen = Date.now();
    await until('no kept version holds bob', async () => {
      const { data } = await gql(url, '{ lake { liveVersion withdrawnSinceBuild versions { version } } }');
      return data.lake.liveVersion !== first && data.lake.withdrawnSinceBuild === 0 && data.lake.versions.length === 1;
    }, 30_000);
    // The bound runs from when a refresh reads the revocation: at most one refresh interval after it was written.
    expect(Date.now() - seen).toBeLessThan(ERASURE_MS + 200);
    // The job ends just after its publish: still one job, however many workers asked for it.
    await until('the erasure rebuild has ended', async () => (await gql(url, '{ rebuildJobs { state } }')).data.rebuildJobs.every((j: { state: string }) => j.state !== 'RUNNING'));
    const { data } = await gql(url, '{ rebuildJobs { state } }');
    expect(data.rebuildJobs).toEqual([{ state: 'SUCCEEDED' }]);
  }, 60_000);

  it('answers lake { consentGeneration } alike from every worker that hides the same customers, a worker started later included', async () => {
    const { landing, lake } = smallLake();
    // The spare worker starts with the first request for data: only the first one sees alice withdraw (its generation moves).
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '2', LOG_LEVEL: 'info', STEDI_CONSENT_REFRESH_MS: '200' });
    const { url } = served;
    await untilReady(served);
    appendFileSync(join(landing, 'customer', 'landing', 'customer-1.json'), `${JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_700_000_000_000 }))}\n`);
    await served.process.waitFor(/"worker":1,"component":"consent","revocationsSeen":1,/);
    expect(workerPids(served)).toHaveLength(1);
    const generation = async (): Promise<number> => (await gql(url, '{ lake { consentGeneration } }')).data.lake.consentGeneration as number;
    await generation();
    await served.process.waitFor(/"msg":"spare workers started"/);
    await until('both workers run', () => workerPids(served!).length === 2);
    // The later worker cannot tell how old the revocation it reads first is, so it starts an erasure rebuild at once; its
    // publish moves each worker's digest (the version's own exclusions) at that worker's next refresh. Compared after it.
    await until('the erasure rebuild has published', async () => (await gql(url, '{ rebuildJobs { state } }')).data.rebuildJobs.some((j: { state: string }) => j.state === 'SUCCEEDED'));
    let seen = new Set<number>();
    await until('every worker answers one generation', async () => {
      seen = new Set<number>();
      for (let i = 0; i < 12; i += 1) seen.add(await generation());
      return seen.size === 1;
    }, 10_000);
    expect([...seen]).toHaveLength(1);
    const answeredBy = (line: string): unknown => (JSON.parse(line) as { worker?: unknown }).worker;
    const answers = served.process.stdout().split('\n').filter((l) => l.startsWith('{') && l.includes('"msg":"request"'));
    expect(new Set(answers.map(answeredBy))).toEqual(new Set([1, 2]));
  }, 60_000);

  /** Two workers serving a new small lake, ready (kept in `served` for afterEach). */
  const serveTwoWorkers = async (env: Record<string, string>): Promise<ServedLake> => {
    const { landing, lake } = smallLake();
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '2', LOG_LEVEL: 'info', ...env });
    await untilReady(served);
    return served;
  };
  /** SIGTERM drains every worker and the server exits 0. */
  const stopsCleanly = async (): Promise<void> => {
    served!.process.child.kill('SIGTERM');
    expect(await served!.process.exited).toBe(0);
    served = undefined;
  };

  it('replaces a worker killed with SIGKILL, and on SIGTERM drains every worker and exits 0', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0' });
    const [victim, survivor] = workerPids(served);
    process.kill(victim!, 'SIGKILL');
    await until('a new worker replaces the killed one', () => {
      const now = workerPids(served!);
      return now.length === 2 && now.includes(survivor!) && !now.includes(victim!);
    });
    const replaced = workerPids(served);
    await served.process.waitFor(/"worker":3,[^\n]*"msg":"listening"/);
    // The primary's line names the worker that exited apart from its own `worker` (a repeated key would hide "primary" from a JSON reader).
    const exited = served.process.stdout().split('\n').filter((l) => l.includes('"a worker exited; starting another"')).map((l) => JSON.parse(l) as { worker: unknown; workerId: unknown; pid: unknown });
    expect(exited).toEqual([expect.objectContaining({ worker: 'primary', pid: victim })]);
    expect(typeof exited[0]!.workerId).toBe('number');
    const answers = await Promise.all(Array.from({ length: 4 }, () => fresh(served!.url, '/readyz')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    served.process.child.kill('SIGTERM');
    expect(await served.process.exited).toBe(0);
    for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
    served = undefined;
  }, 60_000);

  it('answers a client whose connection was handed to a worker killed before it took it: the other worker serves it', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0' });
    const [victim] = workerPids(served);
    // A stopped worker never takes the connection the cluster hands it (and is handed no other): one of the first two goes to it.
    process.kill(victim!, 'SIGSTOP');
    let answered = 0;
    const query = { query: '{ customers(first: 1) { edges { node { serialNumber } } } }' };
    const answers = Array.from({ length: 4 }, () => fresh(served!.url, '/graphql', query).then((a) => ((answered += 1), a)));
    await until('every connection but the stopped worker\'s is answered', () => answered === 3);
    process.kill(victim!, 'SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const all = await Promise.race([
      Promise.all(answers),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${4 - answered} client(s) never answered after the worker holding their connection was killed`)), 20_000))),
    ]).finally(() => clearTimeout(timer));
    expect(all.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const answer of all) expect((JSON.parse(answer.text) as Body).data.customers.edges).toHaveLength(1);
    // The primary's line may reach this process after the answer did: waited for, not read at once.
    await served.process.waitFor(/"connections":1,[^\n]*"msg":"connections a dead worker never took handed to another worker"/, 10_000);
    await stopsCleanly();
  }, 60_000);

  it('answers every client whose connection was handed to a worker when both workers are killed at once: one worker\'s connection passed to the other, dead but not yet seen so, is not lost with it', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0' });
    const workers = workerPids(served);
    const primaryPid = served.process.child.pid!;
    const sockets = (): number => readdirSync(`/proc/${primaryPid}/fd`).filter((fd) => { try { return readlinkSync(`/proc/${primaryPid}/fd/${fd}`).startsWith('socket:'); } catch { return false; } }).length;
    const before = sockets();
    // Stopped workers take nothing: the cluster hands each one connection, which stays the primary's until taken.
    for (const pid of workers) process.kill(pid, 'SIGSTOP');
    let answered = 0;
    const query = { query: '{ customers(first: 1) { edges { node { serialNumber } } } }' };
    const answers = Array.from({ length: 2 }, () => fresh(served!.url, '/graphql', query).then((a) => ((answered += 1), a)));
    await until('the primary accepted both connections', () => sockets() >= before + 2);
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const all = await Promise.race([
      Promise.all(answers),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${2 - answered} client(s) never answered after both workers were killed`)), 30_000))),
    ]).finally(() => clearTimeout(timer));
    expect(all.map((a) => a.status)).toEqual([200, 200]);
    for (const answer of all) expect((JSON.parse(answer.text) as Body).data.customers.edges).toHaveLength(1);
    await stopsCleanly();
  }, 90_000);

  it('kills a worker that answers nothing for STEDI_WORKER_HANG_MS and starts another; the client whose connection it held unread is answered by the other worker', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0', STEDI_WORKER_HANG_MS: '1500' });
    const [stuck, survivor] = workerPids(served);
    process.kill(stuck!, 'SIGSTOP');
    const query = { query: '{ customers(first: 1) { edges { node { serialNumber } } } }' };
    // One of the first two connections is handed to the stopped worker; it is answered only once that worker is killed.
    const answers = await Promise.all(Array.from({ length: 4 }, () => fresh(served!.url, '/graphql', query)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(served.process.stdout()).toMatch(new RegExp(`"pid":${stuck},"silentMs":\\d+,"msg":"a worker stopped answering; killing it"`));
    await until('a new worker replaces the stuck one', () => {
      const now = workerPids(served!);
      return now.length === 2 && now.includes(survivor!) && !now.includes(stuck!);
    });
    await stopsCleanly();
  }, 60_000);

  it('with STEDI_SPARE_WORKER_IDLE_MS, replaces its only worker once it answers nothing for STEDI_WORKER_HANG_MS: every client that connected meanwhile is answered, none reset, and the half-written export of the killed worker is removed, though the replacement started (and looked) while it still lived', async () => {
    const tmp = makeTempDir('stedi-cluster-tmp-');
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '60000', STEDI_WORKER_HANG_MS: '1500', TMPDIR: tmp });
    const [stuck] = workerPids(served);
    // Its export folder as it names it (export-folders.ts), the file half written: a real write is over in a moment.
    const left = join(tmp, `stedi-export-${stuck}.${processStart(stuck!) ?? ''}-abc123`.replace('.-', '-'));
    mkdirSync(left);
    writeFileSync(join(left, 'export.ndjson'), '{"serialNumber":"serial-bob"}\n');
    process.kill(stuck!, 'SIGSTOP');
    // Probes start no spare: the first connection is handed to the stopped worker, the others wait in the cluster's queue for it.
    const answers = await Promise.all(Array.from({ length: 3 }, () => fresh(served!.url, '/readyz')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(served.process.stdout()).toMatch(new RegExp(`"pid":${stuck},"silentMs":\\d+,"msg":"a worker stopped answering; killing it"`));
    await until('the stuck worker is gone and one worker serves', () => {
      const now = workerPids(served!);
      return now.length === 1 && !now.includes(stuck!);
    });
    await until('its export folder is removed', () => !existsSync(left), 10_000);
    await stopsCleanly();
  }, 60_000);

  it('with STEDI_SPARE_WORKER_IDLE_MS and PORT=0, holds its announced port while its only worker, killed with SIGKILL, is replaced: clients that connect meanwhile are answered once the replacement listens, none refused, and new ones after', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '60000' });
    const [only] = workerPids(served);
    process.kill(only!, 'SIGKILL');
    await served.process.waitFor(/"msg":"no worker listens: the port is held until one does"/);
    // Connections made before the replacement listens (its start-up takes a second or more) wait instead of being refused.
    expect(served.process.stdout()).not.toMatch(/"worker":2,[^\n]*"msg":"listening"/);
    const query = '{ customers(first: 1) { edges { node { serialNumber } } } }';
    // And one whose client half-closed its side once it had sent its request: a connection handed between processes
    // ended its own side at that FIN, and the answer was lost.
    const answers = await Promise.all([...Array.from({ length: 3 }, () => fresh(served!.url, '/graphql', { query })), halfClosed(served.url, query)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const answer of answers) expect((JSON.parse(answer.text) as Body).data.customers.edges).toHaveLength(1);
    expect(served.process.stdout()).toMatch(/"connections":4,"msg":"connections held while no worker listened handed over"/);
    // The last worker gone, the cluster's shared socket was closed: the replacement listens on the same port again.
    await served.process.waitFor(/"worker":2,[^\n]*"msg":"listening"/);
    expect((await fresh(served.url, '/readyz')).status).toBe(200);
    const answer = JSON.parse((await fresh(served.url, '/graphql', { query })).text) as Body;
    expect(answer.errors).toBeUndefined();
    expect(answer.data.customers.edges).toHaveLength(1);
    await stopsCleanly();
  }, 60_000);

  /** A POST to /graphql on the one kept-alive connection of `agent`. */
  const kept = (agent: Agent, query: string): Promise<{ status: number; connection?: string }> =>
    new Promise((resolve, reject) => {
      const req = request(`${served!.url}/graphql`, { method: 'POST', agent, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query }));
    });
  const INTROSPECTION = '{ __schema { types { name } } }';
  const DATA = '{ customers(first: 1) { edges { node { serialNumber } } } }';

  it('runs one worker while only the schema is asked for, starts the other with the first request for data, closes the busy worker\'s kept-alive connection once, and runs one again after STEDI_SPARE_WORKER_IDLE_MS without requests', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '1500' });
    // Probes are not requests to serve: still one worker.
    expect(workerPids(served)).toHaveLength(1);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // An IDE loading the schema, however often, asks for no data: one worker answers it.
      for (let i = 0; i < 3; i += 1) expect((await kept(agent, INTROSPECTION)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(workerPids(served)).toHaveLength(1);
      expect(served.process.stdout()).not.toMatch(/spare workers started/);
      // One request for data, on the same connection, starts the other.
      expect((await kept(agent, DATA)).status).toBe(200);
      await served.process.waitFor(/"msg":"spare workers started"/);
      expect(workerPids(served)).toHaveLength(2);
      // The connection kept alive from before the spare started is closed after its next answer, and only that one.
      expect(await kept(agent, DATA)).toEqual({ status: 200, connection: 'close' });
      expect(await kept(agent, DATA)).toEqual({ status: 200, connection: 'keep-alive' });
    } finally {
      agent.destroy();
    }
    await until('the spare worker stops after the quiet spell', () => workerPids(served!).length === 1);
    expect((await fresh(served.url, '/graphql', { query: DATA })).status).toBe(200);
    await stopsCleanly();
  }, 60_000);

  it('closes the connections past each worker\'s STEDI_MAX_CONNECTIONS as they arrive, and answers again once the others close', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0', STEDI_MAX_CONNECTIONS: '2' });
    const port = Number(new URL(served.url).port);
    // Ten idle connections against two workers of two each: six are closed. A worker declining them (Node's
    // server.maxConnections) had the primary hand them round the workers for ever: none closed, a core spinning.
    let closed = 0;
    const idle = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
          socket.once('close', () => void (closed += 1));
        }),
      ),
    );
    await until('six connections were closed', () => closed >= 6, 10_000);
    await served.process.waitFor(/connection refused: this process holds STEDI_MAX_CONNECTIONS connections/, 10_000);
    for (const socket of idle) socket.destroy();
    await until('the workers answer again', async () => (await fresh(served!.url, '/healthz').catch(() => ({ status: 0 }))).status === 200);
    await stopsCleanly();
  }, 60_000);

  it('on SIGTERM while the spare worker it started for a request is still starting, exits 0 logging no error', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '60000' });
    expect((await fresh(served.url, '/graphql', { query: DATA })).status).toBe(200);
    // The spare takes a second or more to load the lake: it is still starting.
    await until('the spare worker is forked', () => workerPids(served!).length === 2);
    expect(served.process.stdout()).not.toMatch(/"worker":2,[^\n]*"msg":"listening"/);
    const logs = served.process;
    await stopsCleanly();
    const lines = logs.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.at(-1)?.msg).toBe('shut down cleanly');
  }, 60_000);

  it('refuses a rebuild an admin asks for while SIGTERM drains the workers, ENGINE_BUSY saying why, and starts no build', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '0' });
    // The request is in a worker before the signal (it invited the body); its body, the mutation, arrives during the drain.
    const asked = await bodySentLater(served.url, '/graphql', ADMIN_KEY, { query: 'mutation { rebuildZones { id } }' });
    served.process.child.kill('SIGTERM');
    await served.process.waitFor(/"msg":"shutting down: finishing in-flight requests"/, 10_000);
    const { body } = await asked.send();
    expect(body).toEqual({
      data: null,
      errors: [expect.objectContaining({ message: expect.stringMatching(/shutting down: no rebuild starts now/), extensions: expect.objectContaining({ code: 'ENGINE_BUSY' }) })],
    });
    expect(await served.process.exited).toBe(0);
    expect(served.process.stdout()).not.toMatch(/"msg":"rebuild started"/);
    served = undefined;
  }, 60_000);

  it('starts the other worker under load from several clients that ask for no data', async () => {
    served = await serveTwoWorkers({ STEDI_SPARE_WORKER_IDLE_MS: '60000' });
    expect(workerPids(served)).toHaveLength(1);
    // Four clients loading the schema back to back, each request on a new connection, keep the one worker busy (load-signal.ts).
    let started = false;
    const statuses = new Set<number>();
    const client = async (): Promise<void> => {
      const end = Date.now() + 20_000;
      while (!started && Date.now() < end) statuses.add((await fresh(served!.url, '/graphql', { query: INTROSPECTION })).status);
    };
    const clients = Promise.all(Array.from({ length: 4 }, client));
    await served.process.waitFor(/"msg":"spare workers started"/, 20_000).finally(() => (started = true));
    await clients;
    expect([...statuses]).toEqual([200]);
    expect(workerPids(served)).toHaveLength(2);
    await stopsCleanly();
  }, 60_000);
});
